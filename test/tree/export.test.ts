import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import * as tar from 'tar-stream'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { QmError } from '../../src/errors.ts'
import { readSeed, treeToTar, writeTreeToDir, writeTreeToTar } from '../../src/tree/export.ts'
import { createDir, createFile, createHardlink, createSymlink, emptyTree, readFile, setMeta, walk, type Tree } from '../../src/tree/vtree.ts'
import { removeScratch, scratch as scratchDir } from '../_helpers/scratch.ts'

/** A tree with every kind of entry and metadata a seed or an output can carry. */
function sample(): Tree {
  const t = emptyTree()
  createDir(t, '/etc', { mode: 0o755, uid: 0, gid: 0 })
  createDir(t, '/etc/ro', { mode: 0o555, uid: 0, gid: 0, label: 'system_u:object_r:etc_t:s0' })
  createFile(t, '/etc/ro/secret', Buffer.from('s3cret\n'), { mode: 0o000, uid: 0, gid: 0 })
  createFile(t, '/etc/qm.conf', Buffer.from('x = 1\n'), { mode: 0o640, uid: 1000, gid: 1001, label: 'system_u:object_r:qm_file_t:s0' })
  createFile(t, '/usr-bin-tool', Buffer.from([0, 1, 2, 255]), { mode: 0o4755, uid: 0, gid: 0 })
  createHardlink(t, '/usr-bin-tool', '/tool-link')
  createSymlink(t, '/etc/localtime', '../usr/share/zoneinfo/UTC')
  setMeta(t, '/etc/localtime', { label: 'system_u:object_r:locale_t:s0' })
  createDir(t, `/${'long-name-'.repeat(12)}`, { mode: 0o700, uid: 0, gid: 0 })
  return t
}

const scratch = () => scratchDir('export')

async function tarEntries(bytes: Buffer) {
  const out: { name: string; mtime: number; uname: string; pax: unknown }[] = []
  const ex = tar.extract()
  ex.end(bytes)
  for await (const entry of ex) {
    out.push({ name: entry.header.name, mtime: entry.header.mtime.getTime(), uname: entry.header.uname, pax: entry.header.pax })
    entry.resume()
  }
  return out
}

const Tar = suite('tar export')

Tar('is deterministic: the same tree gives the same bytes', async () => {
  const [a, b] = [await treeToTar(sample()), await treeToTar(sample())]
  assert.ok(a.equals(b))
})

Tar('writes sorted ./ names, mtime 0, no user names, labels as PAX xattr records', async () => {
  const entries = await tarEntries(await treeToTar(sample()))
  assert.equal(entries.map((e) => e.name).slice(0, 6), ['./', './etc/', './etc/localtime', './etc/qm.conf', './etc/ro/', './etc/ro/secret'])
  assert.ok(entries.every((e) => e.mtime === 0 && e.uname === ''))
  const qm = entries.find((e) => e.name === './etc/qm.conf')!
  assert.equal((qm.pax as Record<string, string>)['SCHILY.xattr.security.selinux'], 'system_u:object_r:qm_file_t:s0')
})

Tar('round-trips through readSeed, plain and gzip-compressed whatever the file name', async () => {
  const dir = scratch()
  try {
    const bytes = await treeToTar(sample())
    writeFileSync(join(dir, 'seed.tar'), bytes)
    writeFileSync(join(dir, 'seed.bin'), gzipSync(bytes))
    for (const file of ['seed.tar', 'seed.bin']) {
      const back = await readSeed(join(dir, file))
      assert.equal(walk(back), walk(sample()), file)
      assert.equal(readFile(back, '/etc/ro/secret').toString(), 's3cret\n')
      assert.equal([...readFile(back, '/tool-link')], [0, 1, 2, 255])
    }
    await writeTreeToTar(sample(), join(dir, 'out.tar'))
    assert.equal(walk(await readSeed(join(dir, 'out.tar'))), walk(sample()))
  } finally {
    removeScratch(dir)
  }
})

Tar('refuses archives that climb out, and files that are no tar', async () => {
  const dir = scratch()
  try {
    const pack = tar.pack()
    pack.entry({ name: '../escape', mtime: new Date(0) }, 'x')
    pack.finalize()
    const chunks: Buffer[] = []
    for await (const c of pack) chunks.push(c as Buffer)
    writeFileSync(join(dir, 'bad.tar'), Buffer.concat(chunks))
    writeFileSync(join(dir, 'junk.tar'), Buffer.alloc(1024, 7))
    for (const [file, code] of [['bad.tar', 'TAR_READ'], ['junk.tar', 'TAR_READ'], ['missing.tar', 'FILE_READ']] as const) {
      try {
        await readSeed(join(dir, file))
        assert.unreachable(file)
      } catch (e) {
        assert.instance(e, QmError)
        assert.is((e as QmError).code, code, file)
      }
    }
  } finally {
    removeScratch(dir)
  }
})

Tar.run()

// ---

const Dir = suite('directory export')

Dir('writes files, directories, symlinks and hard links with their modes, and reads them back', async () => {
  const dir = scratch()
  const tree = sample()
  // An unprivileged reader could not read a 0000 file back.
  setMeta(tree, '/etc/ro/secret', { mode: 0o400 })
  try {
    const out = join(dir, 'tree')
    writeTreeToDir(tree, out)
    const back = await readSeed(out)
    // Labels need xattrs, which Node cannot set; owners need root.
    const asRoot = process.getuid?.() === 0
    const strip = (t: Tree) => walk(t).map(({ label: _label, uid, gid, ...e }) => (asRoot ? { ...e, uid, gid } : e))
    assert.equal(strip(back), strip(tree))
    assert.equal(readFile(back, '/etc/qm.conf').toString(), 'x = 1\n')
  } finally {
    removeScratch(dir)
  }
})

Dir('accepts an empty existing directory and refuses a non-empty one, leaving it as it was', () => {
  const dir = scratch()
  try {
    mkdirSync(join(dir, 'empty'))
    writeTreeToDir(sample(), join(dir, 'empty'))
    mkdirSync(join(dir, 'full'))
    writeFileSync(join(dir, 'full', 'keep'), 'x')
    assert.throws(() => writeTreeToDir(sample(), join(dir, 'full')), (e: QmError) => e.code === 'OUTPUT_WRITE')
    assert.equal(readdirSync(join(dir, 'full')), ['keep'])
    assert.equal(readdirSync(dir).sort(), ['empty', 'full'])
  } finally {
    removeScratch(dir)
  }
})

Dir.run()
