// Content cannot replace what a key generates, and a Quadlet placed through content is checked like a nested entry.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { render } from '../../src/render/render.ts'
import { qmParts } from '../../src/render/plan.ts'
import { generatedPaths } from '../../src/render/generated.ts'
import { config, yaml } from '../_helpers/config.ts'

const errors = (text: string) => render(Buffer.from(text), { file: 'test/qm.yaml' }).errors.map((e) => [e.code, e.pointer])

const Content = suite('content guard')

Content('the generated paths are read from the stages each key emits', () => {
  const c = config(yaml`
    nested:
      - { name: radio, image: quay.io/x/radio, pull: always }
    container_images:
      - { source: quay.io/x/a, tag: v1 }
  `)
  const byPath = Object.fromEntries(generatedPaths(qmParts(c)).map((g) => [g.path, [g.key, g.kind]]))
  assert.equal(byPath['/etc/containers/containers.conf'], ['/containers_conf', 'file'])
  assert.equal(byPath['/etc/containers/systemd/radio.container'], ['/nested/0', 'file'])
  assert.equal(byPath['/etc/bluechi/agent.conf.d/10-qm.conf'], ['/bluechi', 'file'])
  assert.equal(byPath['/usr/share/containers/storage.conf'], ['/storage_conf', 'file'])
  assert.equal(byPath['/usr/lib/containers/storage'], ['/container_images', 'tree'])
  assert.equal(byPath['/etc/subuid'], ['/subids/qm', 'file'])
})

const quadlet = (body: string, extra = '') => `${extra}content:\n  add_files:\n    - path: /etc/containers/systemd/app.container\n      text: |\n${body.split('\n').map((l) => `        ${l}`).join('\n')}\n`

Content('a checked Quadlet renders, and its weakening is accepted with a reason', () => {
  assert.equal(errors(quadlet('[Container]\nImage=quay.io/x/app\nPull=missing\nVolume=/run/pulse:/run/pulse\nAddDevice=/dev/snd')), [])
  const privileged = quadlet('[Container]\nImage=quay.io/x/app\nPull=missing\nPodmanArgs=--privileged')
  assert.equal(errors(privileged), [['UNSAFE_SETTING', '/content/add_files/0/path']])
  assert.equal(errors(`${privileged}allow_unsafe:\n  privileged: the app drives a CAN adapter\n`), [])
})

Content('an allow_unsafe entry that only content could use is judged after the content is read', () => {
  const plain = quadlet('[Container]\nImage=quay.io/x/app\nPull=missing')
  assert.equal(errors(`${plain}allow_unsafe:\n  privileged: nothing is privileged here at all\n`), [['UNUSED_ALLOW_UNSAFE', '/allow_unsafe/privileged']])
})

Content('content next to a generated file is fine when it sets nothing the key generates', () => {
  const dropin = 'content:\n  add_files:\n    - path: /etc/containers/containers.conf.d/50-tmp.conf\n      text: |\n        [engine]\n        image_copy_tmp_dir = "/var/tmp"\n'
  assert.equal(errors(dropin), [])
  const agent = 'content:\n  add_files:\n    - path: /etc/bluechi/agent.conf.d/50-log.conf\n      text: |\n        [bluechi-agent]\n        LogLevel=DEBUG\n'
  assert.equal(errors(agent), [])
})

Content.run()
