// Single values as their reader takes them: Quadlet unquotes (per release, checked against the real generators,
// test/corpus/quadlet/13-quoted-values), systemd does not. The expected readings below come from those runs:
// 4.9.5 never unquotes, 5.0.3 and 5.2.5 strip every edge '"', 5.8.2 one matching pair; 'yes', y and t are false.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Report } from '../../src/inspect/report.ts'
import { QM } from '../../src/qm/paths.ts'
import { asInstalledByRpm, inspectTar, put } from '../_helpers/image.ts'
import { built, tinySeed, TINY_ROOTFS } from '../_helpers/render.ts'

const ids = (r: Report) => r.findings.map((f) => f.id)
const D = QM.dropinDir

async function inspectWith(dropin: string, podman: string, yaml = '', extra?: (t: ReturnType<typeof built>['host']) => void): Promise<Report> {
  const { host } = built(`rootfs: { tarball: { source_path: ${TINY_ROOTFS} } }\n${yaml}`, { seed: await tinySeed() })
  asInstalledByRpm(host)
  put(host, `${D}/90-site.conf`, dropin)
  extra?.(host)
  return inspectTar(host, { podman })
}

const Quoted = suite('inspect: quoted and oddly spelt values')

const LABEL_OFF: [string, Record<string, boolean>][] = [
  ['"true"', { '4.9': false, '5.0': true, '5.2': true, '5.8': true }],
  ['""true""', { '4.9': false, '5.0': true, '5.2': true, '5.8': false }],
  ['"true', { '4.9': false, '5.0': true, '5.2': true, '5.8': false }],
  ["'yes'", { '4.9': false, '5.0': false, '5.2': false, '5.8': false }],
  ['y', { '4.9': false, '5.0': false, '5.2': false, '5.8': false }],
  ['On', { '4.9': true, '5.0': true, '5.2': true, '5.8': true }],
  ['1', { '4.9': true, '5.0': true, '5.2': true, '5.8': true }],
]

Quoted('SecurityLabelDisable in a drop-in, read as each release reads it', async () => {
  for (const [value, by] of LABEL_OFF) {
    for (const [podman, disabled] of Object.entries(by)) {
      const r = await inspectWith(`[Container]\nSecurityLabelDisable=${value}\n`, podman)
      assert.is(ids(r).includes('selinux.label_disable'), disabled, `SecurityLabelDisable=${value} with podman ${podman}`)
    }
  }
})

Quoted('ReadOnly: anything but a true spelling is false (--read-only=false), quoted or not', async () => {
  const cases: [string, string, boolean][] = [
    ['"false"', '5.8', true],
    ['garbage', '5.8', true],
    ["'yes'", '5.8', true],
    ['"true"', '5.8', false],
    ['"true"', '4.9', true],
    ['True', '4.9', false],
  ]
  for (const [value, podman, off] of cases) {
    const r = await inspectWith(`[Container]\nReadOnly=${value}\n`, podman)
    assert.is(ids(r).includes('read_only.off'), off, `ReadOnly=${value} with podman ${podman}`)
  }
})

Quoted('[Service] values go to systemd, which does not unquote: a quoted one is ignored and the earlier one stands', async () => {
  // the config's OOMScoreAdjust (10-qm.conf) stands; a quoted MemoryMax leaves the config's 4G
  const r = await inspectWith('[Service]\nOOMScoreAdjust="-1"\nMemoryMax="8G"\n', '5.8', 'memory_limit: { max: 4G }\n')
  assert.not.ok(ids(r).includes('oom.qm_not_positive'), 'the quoted -1 is not applied')
  assert.not.ok(ids(r).includes('memory.unlimited'), 'the quoted 8G is ignored, the 4G stands')
  const alone = await inspectWith('[Service]\nMemoryMax=\n', '5.8', '', (t) => put(t, `${D}/95-quoted.conf`, '[Service]\nMemoryMax="4G"\n'))
  assert.match(alone.findings.find((f) => f.id === 'memory.unlimited')?.message ?? '', /MemoryMax="4G" is not a size systemd reads/)
})

Quoted('a nested Quadlet: quoted Image= and Pull= unquoted as Quadlet does; a quoted OOMScoreAdjust= ignored as systemd does', async () => {
  const nested = '[Container]\nImage="localhost/radio"\nPull="never"\n[Service]\nOOMScoreAdjust="100"\n'
  const r = await inspectWith('', '5.8', 'container_images: [{ source: quay.io/o/radio, name: localhost/radio }]\n', (t) => {
    put(t, `${QM.etc}/containers/systemd/radio.container`, nested)
    put(t, `${QM.rootfs}/usr/lib/containers/storage/overlay-images/images.json`, JSON.stringify([{ id: 'x', names: ['localhost/radio:latest'] }]))
  })
  const radio = r.inside.nested.find((n) => n.name === 'radio')!
  assert.equal([radio.image?.value, radio.imageEmbedded, radio.pull, radio.oomScoreAdjust], ['localhost/radio', true, 'never', undefined])
  assert.not.ok(ids(r).includes('oom.nested_below_qm'), 'systemd ignores the quoted 100')
  assert.not.ok(ids(r).includes('nested.image_not_embedded'))
  const old = await inspectWith('', '4.9', 'container_images: [{ source: quay.io/o/radio, name: localhost/radio }]\n', (t) => put(t, `${QM.etc}/containers/systemd/radio.container`, nested))
  assert.is(old.inside.nested[0]!.image?.value, '"localhost/radio"', '4.9 keeps the quotes: podman is asked for that name')
})

Quoted.run()
