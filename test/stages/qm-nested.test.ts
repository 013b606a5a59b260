import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { generate } from '../../stages/qm-nested.ts'
import { built, has, unitOf } from '../_helpers/render.ts'

const Nested = suite('qm-nested')

const YAML = `
container_images:
  - { source: quay.io/org/radio, tag: "1.2", name: localhost/radio:1.2 }
nested:
  - name: radio
    image: localhost/radio:1.2
    exec: /usr/bin/radio --station "101.5"
    network: none
    oom_score_adjust: 900
    environment: { LANG: C.UTF-8, GREETING: hello world }
    volumes: [/var/lib/radio:/data:Z]
    unit: { Description: Radio tuner, After: [network-online.target, sound.target] }
    service: { Restart: always }
  - name: updater
    image: quay.io/org/updater
    pull: newer
    enabled: false
`

Nested('each nested container is a Quadlet in QM\'s /etc/containers/systemd with its effective settings', () => {
  const { host } = built(YAML)
  const radio = unitOf(host, '/etc/qm/containers/systemd/radio.container')
  assert.is(radio.get('Container', 'Image'), 'localhost/radio:1.2')
  assert.is(radio.get('Container', 'Exec'), '/usr/bin/radio --station "101.5"')
  assert.is(radio.get('Container', 'Network'), 'none')
  assert.is(radio.get('Container', 'Pull'), 'never', 'an embedded image is never pulled')
  assert.equal(radio.list('Container', 'Environment'), ['LANG=C.UTF-8', 'GREETING=hello world'])
  assert.equal(radio.list('Container', 'Volume'), ['/var/lib/radio:/data:Z'])
  assert.is(radio.get('Service', 'OOMScoreAdjust'), '900')
  assert.is(radio.get('Service', 'Restart'), 'always')
  assert.equal(radio.list('Unit', 'After'), ['network-online.target', 'sound.target'])
  assert.equal(radio.list('Install', 'WantedBy'), ['default.target'])
  assert.is(radio.get('Container', 'ContainerName'), 'radio', 'podman inspect radio works, as the containers/qm README does it')
  assert.equal(radio.issues, [])
  assert.ok(has(host, '/usr/lib/qm/rootfs/etc/containers/systemd/radio.container'), 'the rootfs keeps a (shadowed) copy')
})

Nested('a container pulled at runtime keeps its pull policy; a disabled one has no [Install]', () => {
  const updater = unitOf(built(YAML).host, '/etc/qm/containers/systemd/updater.container')
  assert.is(updater.get('Container', 'Pull'), 'newer')
  assert.equal(updater.list('Install', 'WantedBy'), [])
})

Nested('no nested containers, no files', () => {
  assert.equal(generate({ nested: [] }).stages, [])
})

Nested('ContainerName: the name by default, container_name to change it, a raw ContainerName wins', () => {
  const { host } = built(`
nested:
  - { name: radio, image: quay.io/x/radio, pull: missing }
  - { name: tuner, image: quay.io/x/radio, pull: missing, container_name: fm-tuner }
  - { name: legacy, image: quay.io/x/radio, pull: missing, container: { ContainerName: old-name } }
`)
  const name = (n: string) => unitOf(host, `/etc/qm/containers/systemd/${n}.container`).list('Container', 'ContainerName')
  assert.equal([name('radio'), name('tuner'), name('legacy')], [['radio'], ['fm-tuner'], ['old-name']])
})

Nested.run()
