import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cli } from '../_helpers/cli.ts'
import type { Report } from '../../src/inspect/report.ts'
import { asInstalledByRpm, tarFile } from '../_helpers/image.ts'
import { built } from '../_helpers/render.ts'
import { scratchFor } from '../_helpers/scratch.ts'

const CONFIG = `node: ecu1
container:
  volumes: [/srv/radio:/srv/radio]
nested:
  - name: radio
    image: quay.io/x/radio:1
    pull: missing
    environment: { GREETING: hello world }
`

const Units = suite('qm-stage inspect --units, render --explain')
const tmp = scratchFor(Units, 'units')

let image: Promise<string> | undefined
const qmImage = () => (image ??= tarFile(asInstalledByRpm(built(CONFIG).host), tmp()))
const execStart = (text: string, unit: string) => text.split(`---${unit}---\n`)[1]!.split('\n').find((l) => l.startsWith('ExecStart='))!

Units('--units prints the units as quadlet -dryrun does: qm.service with the drop-ins applied, then the nested ones', async () => {
  const { code, out } = await cli(['inspect', await qmImage(), '--units', '--fail-on', 'never'])
  assert.is(code, 0)
  const qm = execStart(out, 'qm.service')
  assert.match(qm, /^ExecStart=\/usr\/bin\/podman run --name qm --replace --rm /)
  assert.match(qm, / -v \/srv\/radio:\/srv\/radio -v \/run\/bluechi:\/run\/bluechi .*--rootfs \$\{ROOTFS\} \/sbin\/init$/)
  assert.match(out, /\nRequiresMountsFor=\/srv\/radio\n/)
  const nested = out.split('# inside QM')[1]!
  assert.match(nested, /---radio\.service---\n/)
  assert.match(execStart(nested, 'radio.service'), / --pull missing .*--env "GREETING=hello\\x20world" quay\.io\/x\/radio:1$/)
  assert.match(nested, /\nSourcePath=\/etc\/containers\/systemd\/radio\.container\n/)
})

Units('podman 4.9 ignores every drop-in, silently: the units lack them and inspect says so', async () => {
  const { code, out } = await cli(['inspect', await qmImage(), '--units', '--podman', '4.9.5', '--fail-on', 'never'])
  assert.is(code, 0)
  const qm = execStart(out, 'qm.service')
  assert.match(qm, /^ExecStart=\/usr\/bin\/podman run --name=qm --cidfile=%t\/%N\.cid /)
  assert.not.match(qm, /\/srv\/radio/)
  const json = JSON.parse((await cli(['inspect', await qmImage(), '--json', '--podman', '4.9', '--fail-on', 'never'])).out) as Report
  const ignored = json.findings.filter((f) => f.id === 'quadlet.dropin_ignored').map((f) => f.file)
  assert.equal(ignored, json.units.host[0]!.ignoredDropins)
  assert.ok(ignored.includes('/usr/share/containers/systemd/qm.container.d/20-qm-container.conf'), ignored.join())
  const latest = JSON.parse((await cli(['inspect', await qmImage(), '--json', '--fail-on', 'never'])).out) as Report
  assert.not.ok(latest.findings.some((f) => f.id === 'quadlet.dropin_ignored'))
})

Units('--json carries ExecStart as argv; the text report shows the podman command line', async () => {
  const report = JSON.parse((await cli(['inspect', await qmImage(), '--json', '--fail-on', 'never'])).out) as Report
  assert.is(report.units.podman, '5.8.2')
  const qm = report.units.host[0]!
  assert.is(qm.service, 'qm.service')
  assert.equal(qm.execStart.slice(0, 4), ['/usr/bin/podman', 'run', '--name', 'qm'])
  assert.equal(qm.execStart.slice(-3), ['--rootfs', '${ROOTFS}', '/sbin/init'])
  const radio = report.units.nested.find((u) => u.name === 'radio.container')!
  assert.ok(radio.execStart.includes('GREETING=hello world'), 'one argv word, blank and all')
  const { out } = await cli(['inspect', await qmImage(), '--fail-on', 'never'])
  assert.match(out, `\n  ${execStart(qm.text.replace(/^/, '---qm.service---\n'), 'qm.service')}\n`)
})

Units('render --explain prints the ExecStart the built tree gets, before anything is built', async () => {
  const dir = tmp()
  writeFileSync(join(dir, 'qm.yaml'), CONFIG)
  const { code, out } = await cli(['render', join(dir, 'qm.yaml'), '--explain'])
  assert.is(code, 0)
  const units = (await cli(['inspect', await qmImage(), '--units', '--fail-on', 'never'])).out
  assert.ok(out.split('\n').includes(execStart(units, 'qm.service')), out)
  assert.ok(out.split('\n').includes(execStart(units.split('# inside QM')[1]!, 'radio.service')), out)
  assert.match(out, /qm\.container as the qm rpm installs it/)
  const old = await cli(['render', join(dir, 'qm.yaml'), '--explain', '--podman', '5.0', '-o', join(dir, 'out.yml')])
  assert.is(old.code, 0)
  assert.match(old.out, /--name=qm --cidfile=/)
  assert.match(readFileSync(join(dir, 'out.yml'), 'utf8'), /qm_host_stages/)
})

Units('an unmodelled podman is a usage error', async () => {
  for (const args of [['inspect', await qmImage(), '--podman', '5.5'], ['render', '--explain', '--podman', 'latest'], ['inspect', await qmImage(), '--devices', 'maybe']]) {
    const { code, err } = await cli(args)
    assert.is(code, 2, args.join(' '))
    assert.match(err, /--podman|--devices/)
  }
})

Units.run()
