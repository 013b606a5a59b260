// Issue 9 E: configs that contradict themselves are refused at the key that makes the contradiction:
// a pipeline built in or from itself, a unit enabled and masked, a unit name that is already taken.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { render } from '../../src/render/render.ts'

const codes = (text: string, format: 'mpp' | 'manifest' | 'stages' = 'mpp') =>
  render(Buffer.from(text), { file: 'qm.yaml', format }).errors.map((e) => `${e.code} ${e.pointer}`)

const Pipelines = suite('conflicts: pipelines')

Pipelines('the QM pipeline cannot be its own build root, nor copy its own tree', () => {
  assert.equal(codes('build_pipeline: qm_rootfs\n'), ['CONFLICT /build_pipeline'])
  assert.equal(codes('pipeline: qm\nrootfs: { pipeline: qm }\n'), ['CONFLICT /rootfs/pipeline'])
  // another pipeline is the importing manifest's business
  assert.equal(codes('build_pipeline: build\nrootfs: { pipeline: build }\n'), [])
})

Pipelines('manifest format: the QM pipeline cannot take the host overlay pipeline\'s name', () => {
  const tarball = 'rootfs: { tarball: { source_path: examples/rootfs/tiny-rootfs.tar } }\n'
  assert.equal(codes(`pipeline: qm_host\n${tarball}`, 'manifest'), ['CONFLICT /pipeline'])
  assert.equal(codes(`pipeline: qm_host\n${tarball}`, 'stages'), [])
})

Pipelines.run()

const Units = suite('conflicts: units enabled and masked, names taken twice')

const systemd = (lists: string) => `content:\n  systemd:\n${lists}`

Units('every spelling systemctl reads as the same unit: bare name, suffix, template of an instance, an alias', () => {
  assert.equal(codes(systemd('    enabled_services: [foo]\n    masked_services: [foo.service]\n')), ['CONFLICT /content/systemd/enabled_services/0'])
  assert.equal(codes(systemd('    enabled_services: [getty@tty1.service]\n    masked_services: [getty@.service]\n')), ['CONFLICT /content/systemd/enabled_services/0'])
  assert.equal(
    codes(`nested:\n  - { name: radio, image: quay.io/x/r, pull: always, install: { Alias: tuner.service } }\n${systemd('    disabled_services: [tuner]\n')}`),
    ['CONFLICT /content/systemd/disabled_services/0'],
  )
})

Units('different units stay apart', () => {
  // another instance; an instance masked under an enabled template; a timer and its service
  assert.equal(codes(systemd('    enabled_services: [getty@tty1]\n    masked_services: [getty@tty2]\n')), [])
  assert.equal(codes(systemd('    enabled_services: [foo@.service]\n    masked_services: [foo@x.service]\n')), [])
  assert.equal(codes(systemd('    enabled_services: [foo.timer]\n    masked_services: [foo]\n')), [])
  // a nested entry that does not start may be masked; a rootless Quadlet is the user manager's unit
  assert.equal(codes(`nested:\n  - { name: radio, image: quay.io/x/r, pull: always, enabled: false }\n${systemd('    masked_services: [radio]\n')}`), [])
  assert.equal(codes('content:\n  add_files:\n    - { path: /etc/containers/systemd/users/podman.container, text: "[Container]\\nImage=quay.io/x/r\\nPull=always\\n" }\n'), [])
})

Units("what qm-stage enables itself is refused masked or disabled at the masking key", () => {
  assert.equal(codes(systemd('    masked_services: [bluechi-agent]\n')), ['CONFLICT /content/systemd/masked_services/0'])
  // with the agent off, masking it is the user's choice
  assert.equal(codes(`bluechi: { enabled: false }\n${systemd('    masked_services: [bluechi-agent]\n')}`), [])
})

Units("a package's unit may be replaced by a unit file (systemd's design); a generated one may not", () => {
  const file = (path: string) => `content:\n  add_files:\n    - { path: ${path}, text: "[Service]\\nExecStart=/bin/true\\n" }\n`
  assert.equal(codes(file('/etc/systemd/system/chronyd.service')), [])
  assert.equal(codes(`nested:\n  - { name: radio, image: quay.io/x/r, pull: always }\n${file('/etc/systemd/system/radio.service')}`), ['CONFLICT /content/add_files/0/path'])
})

Units("each name QM already has, from the one table", async () => {
  const { QM_UNITS, takenBy } = await import('../../src/isolation/units.ts')
  for (const t of QM_UNITS) {
    const unit = /[-.]$/.test(t.unit) ? `${t.unit}x.service` : t.unit.replace('@.', '@i.')
    assert.ok(takenBy(unit), unit)
  }
  for (const free of ['radio.service', 'podmanx.service', 'my-systemd-app.service', 'getty.service']) assert.is(takenBy(free), undefined, free)
})

Units.run()
