// A tar without directory members (`tar -cf x.tar path/to/file`) is the same tree as the full one: inspect
// must report the same QM from it, whatever the spelling of its names and however it is compressed.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { readTree } from '../../src/archive/read-tree.ts'
import type { Entry } from '../../src/archive/types.ts'
import { inspect } from '../../src/inspect/inspect.ts'
import type { Report } from '../../src/inspect/report.ts'
import { QM } from '../../src/qm/paths.ts'
import { treeToTar, writeTreeToDir } from '../../src/tree/export.ts'
import { asInstalledByRpm, put } from '../_helpers/image.ts'
import { built, tinySeed, TINY_ROOTFS } from '../_helpers/render.ts'
import { concat, END, member } from '../archive/_helpers/tar.ts'
import { scratchFor } from '../_helpers/scratch.ts'
import { comparable } from '../corpus/tar/_helpers/class-f.ts'

const Implied = suite('inspect: directories a tar does not list')
const work = scratchFor(Implied, 'implied')()

async function imageTree() {
  const { host } = built(`rootfs: { tarball: { source_path: ${TINY_ROOTFS} } }\nmemory_limit: { max: 3G }\nnested: [{ name: radio, image: 'quay.io/x/radio:1', pull: missing }]\n`, { seed: await tinySeed() })
  asInstalledByRpm(host)
  put(host, `${QM.dropinDir}/90-site.conf`, '[Container]\nReadOnly=false\n')
  return host
}

const enc = new TextEncoder()
type Variant = { name: string; keepDir: (e: Entry) => boolean; spell: (path: string, i: number) => string; gzip?: boolean; dirsLast?: boolean }

const relative = (p: string) => p.slice(1)
const VARIANTS: Variant[] = [
  { name: 'every directory (the reference)', keepDir: () => true, spell: relative },
  { name: 'no directory members', keepDir: () => false, spell: relative },
  { name: "no directory members, './' prefixes", keepDir: () => false, spell: (p) => `./${p.slice(1)}` },
  { name: "no directory members, names mixed: plain, './', '/' and '//'", keepDir: () => false, spell: (p, i) => ['', './', '/', './/'][i % 4] + p.slice(1) },
  { name: 'only the directories at even depths', keepDir: (e) => e.path.split('/').length % 2 === 0, spell: relative },
  { name: 'every directory after its contents (find -depth order)', keepDir: () => true, spell: relative, dirsLast: true },
  { name: 'no directory members, gzip-compressed', keepDir: () => false, spell: (p) => `./${p.slice(1)}`, gzip: true },
]

Implied('every variant gives the report of the full tar', async () => {
  // the members of qm-stage's own tar of the tree, written again without labels (implied directories have none)
  const full = join(work, 'full.tar')
  writeFileSync(full, await treeToTar(await imageTree()))
  const index = await readTree(full, { interest: () => 'body' })
  const entries = [...index.entries.values()].filter((e) => e.path !== '/')
  let reference: Report | undefined
  for (const v of VARIANTS) {
    const files = entries.filter((e) => e.type !== 'dir')
    const dirs = entries.filter((e) => e.type === 'dir' && v.keepDir(e))
    const order = v.dirsLast ? [...files, ...dirs.reverse()] : entries.filter((e) => e.type !== 'dir' || v.keepDir(e))
    const bytes = concat([...order.flatMap((e, i) => member(e, v.spell(e.path, i) + (e.type === 'dir' ? '/' : ''), index.bodies.get(e.path))), END])
    const file = join(work, `variant.tar${v.gzip ? '.gz' : ''}`)
    writeFileSync(file, v.gzip ? gzipSync(bytes) : bytes)
    const r = await inspect(file)
    if (!reference) {
      reference = r
      assert.is(reference.quadlet.unit, QM.quadlet, 'the full tar has the Quadlet')
      assert.ok(reference.quadlet.dropins.includes(`${QM.dropinDir}/90-site.conf`))
      assert.equal(reference.inside.nested.map((n) => n.name), ['radio'])
      assert.ok(reference.findings.some((f) => f.id === 'read_only.off'), 'a drop-in setting is seen')
      assert.is(reference.placement.rootfs.present, true)
    }
    assert.is(r.input.kind, v.gzip ? 'tar.gz' : 'tar', v.name)
    assert.equal(comparable(r), comparable(reference), v.name)
    const implied = r.findings.find((f) => f.id === 'archive.implied_dirs')
    if (v.dirsLast || r === reference) assert.is(implied, undefined, `${v.name}: every directory has its member`)
    else assert.match(implied?.message ?? '', /directories have no member of their own/, v.name)
  }
})

Implied('directories only implied are what tar extracts: 0755, root', async () => {
  const file = join(work, 'bare.tar')
  writeFileSync(file, concat([...member({ path: QM.quadlet, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0 }, 'usr/share/containers/systemd/qm.container', enc.encode('[Container]\nImage=qm\n')), ...member({ path: `${QM.rootfs}/usr/bin/podman`, type: 'file', mode: 0o755, uid: 0, gid: 0, size: 0 }, 'usr/lib/qm/rootfs/usr/bin/podman'), END]))
  const r = await inspect(file)
  assert.is(r.quadlet.unit, QM.quadlet)
  assert.equal(r.placement.rootfs, { path: QM.rootfs, present: true, type: 'dir', mode: '0755' })
  assert.is(r.placement.podman, `${QM.rootfs}/usr/bin/podman`)
})

const gnuTar = spawnSync('tar', ['--version'], { encoding: 'utf8' }).stdout?.includes('GNU tar') ?? false

Implied('GNU tar given only the files (tar -cf x.tar path/to/file): the same report as the whole tree', async () => {
  if (!gnuTar) return console.log('  (skipped: no GNU tar)')
  const dir = join(work, 'tree')
  writeTreeToDir(await imageTree(), dir)
  const run = (args: string[]) => {
    const r = spawnSync('tar', args, { cwd: dir, encoding: 'utf8' })
    assert.is(r.status, 0, r.stderr)
  }
  const list = spawnSync('find', ['.', '!', '-type', 'd'], { cwd: dir, encoding: 'utf8' }).stdout.trim().split('\n').sort()
  run(['-cf', join(work, 'gnu-full.tar'), '.'])
  run(['-czf', join(work, 'gnu-files.tar.gz'), '--no-recursion', ...list.map((p) => p.slice(2))])
  const reference = await inspect(join(work, 'gnu-full.tar'))
  const files = await inspect(join(work, 'gnu-files.tar.gz'))
  assert.is(files.quadlet.unit, QM.quadlet)
  assert.equal(comparable(files), comparable(reference))
})

Implied.run()
