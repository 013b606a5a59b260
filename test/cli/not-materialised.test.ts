// inspect of a tree `qm-stage tree` wrote: what it could not materialise without a seed (the QM's OS, embedded
// images, what the qm rpm installs) is a notice; what is wrong in what is there stays a finding.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { inspect } from '../../src/inspect/inspect.ts'
import type { Report } from '../../src/inspect/report.ts'
import { NOT_MATERIALISED_MARKER } from '../../src/qm/not-materialised.ts'
import { cli } from '../_helpers/cli.ts'
import { TINY_ROOTFS } from '../_helpers/render.ts'
import { scratchFor } from '../_helpers/scratch.ts'

const Partial = suite('inspect: not materialised is not wrong')
const tmp = scratchFor(Partial, 'partial')

/** `qm-stage tree ARGS --out DIR/NAME`, which must succeed: the path written. */
async function tree(args: string[], name = 't.tar'): Promise<string> {
  const out = join(tmp(), name)
  const r = await cli(['tree', ...args, '--out', out])
  assert.is(r.code, 0, r.err)
  return out
}

async function inspectJson(path: string): Promise<{ code: number; report: Report }> {
  const r = await cli(['inspect', path, '--json'])
  return { code: r.code, report: JSON.parse(r.out) as Report }
}

const ids = (report: Report, severity?: string) => report.findings.filter((f) => !severity || f.severity === severity).map((f) => f.id)

Partial('a tree written without --seed: notices, exit 0', async () => {
  const { code, report } = await inspectJson(await tree([]))
  assert.is(code, 0)
  assert.equal(ids(report, 'error'), [])
  assert.equal(report.findings.filter((f) => f.id.startsWith('tree.')).map((f) => [f.id, f.severity]), [['tree.os_not_materialised', 'info'], ['tree.rpm_not_materialised', 'info']])
  assert.equal(report.notMaterialised, { file: NOT_MATERIALISED_MARKER, stages: [{ pipeline: 'qm_rootfs', stage: 'org.osbuild.rpm', images: [] }] })
})

Partial('the rootfs placeholder carries the marker, naming the skipped stages and the images they embed', async () => {
  const dir = await tree(['examples/05-embedded-image.qm.yaml'], 'dir')
  assert.equal(readFileSync(join(dir, NOT_MATERIALISED_MARKER), 'utf8').split('\n'), [
    '# qm-stage tree wrote this tree without --seed: what these stages make is not in it',
    'qm_rootfs org.osbuild.rpm',
    'qm_rootfs org.osbuild.skopeo store=/usr/lib/containers/storage image=localhost/audio:latest',
    '',
  ])
})

Partial('embedded images a skopeo stage would add are not materialised: no missing store, no unembedded image, exit 0', async () => {
  // examples/05 runs localhost/audio:latest with Pull=never: in a built image without that image, an error
  const { code, report } = await inspectJson(await tree(['examples/05-embedded-image.qm.yaml']))
  assert.is(code, 0, ids(report).join(' '))
  assert.equal(ids(report, 'error'), [])
  assert.not.ok(ids(report).includes('storage.image_store_missing'))
  assert.not.ok(ids(report).includes('nested.image_not_embedded'))
  const images = report.findings.find((f) => f.id === 'tree.images_not_materialised')
  assert.is(images?.severity, 'info')
  assert.match(images!.message, 'localhost/audio:latest')
  assert.is(images!.file, NOT_MATERIALISED_MARKER)
})

Partial('what is wrong in what is there is still wrong: another missing store, a missing /etc/qm', async () => {
  const dir = await tree(['examples/05-embedded-image.qm.yaml'], 'dir')
  const conf = join(dir, 'usr/lib/qm/rootfs/usr/share/containers/storage.conf')
  writeFileSync(conf, readFileSync(conf, 'utf8').replace('"/usr/lib/containers/storage"', '"/usr/lib/containers/storage", "/usr/lib/other-store"'))
  const { code, report } = await inspectJson(dir)
  assert.is(code, 1)
  const missing = report.findings.filter((f) => f.id === 'storage.image_store_missing')
  assert.equal(missing.map((f) => f.severity), ['error'])
  assert.match(missing[0]!.message, '/usr/lib/other-store')
  assert.ok(ids(report, 'info').includes('tree.images_not_materialised'))

  const { rmSync } = await import('node:fs')
  rmSync(join(dir, 'etc/qm'), { recursive: true })
  assert.ok(ids((await inspectJson(dir)).report, 'error').includes('placement.etc_missing'))
})

Partial('a nested image no stage embeds is wrong even in a tree without a seed', async () => {
  // render refuses such a config (IMAGE_NOT_EMBEDDED): a Quadlet added to the tree afterwards
  const dir = await tree(['examples/05-embedded-image.qm.yaml'], 'dir')
  writeFileSync(join(dir, 'etc/qm/containers/systemd/other.container'), '[Container]\nImage=localhost/other:latest\nPull=never\n')
  const { code, report } = await inspectJson(dir)
  assert.is(code, 1)
  const unembedded = report.findings.filter((f) => f.id === 'nested.image_not_embedded')
  assert.equal(unembedded.map((f) => [f.severity, f.file]), [['error', '/etc/qm/containers/systemd/other.container']])
})

Partial('a seeded tree has no marker and its OS checked in full', async () => {
  const dir = await tree(['--seed', TINY_ROOTFS], 'dir')
  assert.not.ok(existsSync(join(dir, NOT_MATERIALISED_MARKER)))
  const seeded = await inspect(dir)
  assert.is(seeded.notMaterialised, undefined)
  assert.not.ok(seeded.findings.some((f) => f.id === 'tree.os_not_materialised'))
  assert.not.ok(seeded.findings.some((f) => f.id.startsWith('placement.no_')))
})

Partial('a QM rootfs with an OS but no init is wrong, even in a tree of what QM adds', async () => {
  const dir = await tree([], 'dir')
  const { mkdirSync } = await import('node:fs')
  mkdirSync(join(dir, 'usr/lib/qm/rootfs/usr/bin'))
  const r = await inspect(dir)
  assert.ok(r.findings.some((f) => f.id === 'placement.no_init' && f.severity === 'error'))
  assert.not.ok(r.findings.some((f) => f.id === 'tree.os_not_materialised'))
  assert.ok(r.findings.some((f) => f.id === 'tree.rpm_not_materialised'))
})

Partial.run()
