// Seeds by reference: the bytes of a seed's files stay in the seed (or its spilled decompression) and are read
// when a stage or the output needs them; devices, FIFOs and hard links come through whole.
import { lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { pack, type Header as Headers } from 'tar-stream'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { openSeed, readSeed, treeToTar, writeTreeToDir, writeTreeToTar } from '../../src/tree/export.ts'
import { runPlan } from '../../src/tree/qm-tree.ts'
import { QmError } from '../../src/errors.ts'
import { bodyOf, createFile, createHardlink, emptyTree, getNode, overlayTree, overwriteFile, readBytes, readFile, walk, type Tree } from '../../src/tree/vtree.ts'
import { rendered, TINY_ROOTFS } from '../_helpers/render.ts'
import { removeScratch, scratch as scratchDir } from '../_helpers/scratch.ts'

const scratch = () => scratchDir('seed')

/** A seed tar with a file, a hard link to it, a label, a whiteout, a block device and a FIFO. */
async function specialSeed(): Promise<Buffer> {
  const p = pack()
  const add = (h: Partial<Headers> & { name: string }, body?: string) => new Promise<void>((ok, fail) => void p.entry({ ...{ mtime: new Date(0), uid: 0, gid: 0 }, ...h }, body ?? '', (e) => (e ? fail(e) : ok())))
  await add({ name: 'etc/', type: 'directory', mode: 0o755 })
  await add({ name: 'etc/os-release', mode: 0o644, pax: { 'SCHILY.xattr.security.selinux': 'system_u:object_r:etc_t:s0\0' } }, 'ID=seed\n')
  await add({ name: 'etc/os-release.hard', type: 'link', linkname: 'etc/os-release', mode: 0o644 })
  await add({ name: 'layer/', type: 'directory', mode: 0o755 })
  await add({ name: 'layer/deleted', type: 'character-device', devmajor: 0, devminor: 0, mode: 0o020000 /* S_IFCHR: a bare 0 would become 0644 */ })
  await add({ name: 'layer/sda1', type: 'block-device', devmajor: 8, devminor: 1, mode: 0o660, gid: 6 })
  await add({ name: 'layer/initctl', type: 'fifo', mode: 0o600 })
  p.finalize()
  const chunks: Buffer[] = []
  for await (const c of p) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

const specials = (t: Tree) =>
  walk(t)
    .filter((e) => e.path.startsWith('/layer/'))
    .map((e) => [e.path, e.type, e.mode.toString(8), e.major, e.minor])

const Seed = suite('seeds by reference')

Seed('file bytes stay in the tar: memfs holds an empty file, reads go through the reference', async () => {
  const dir = scratch()
  try {
    writeFileSync(join(dir, 'seed.tar'), await specialSeed())
    const seed = await openSeed(join(dir, 'seed.tar'))
    const body = bodyOf(seed.tree, '/etc/os-release')
    assert.not.instance(body, Uint8Array)
    // memfs holds nothing of the seed until a stage changes it: the seed's table is read through the root
    assert.equal(Object.keys(seed.tree.vol.toJSON()), [])
    assert.is(readFile(seed.tree, '/etc/os-release').toString(), 'ID=seed\n')
    assert.is(getNode(seed.tree, '/etc/os-release')!.size, 8)
    // a hard link is the same inode, so the same reference
    assert.equal(bodyOf(seed.tree, '/etc/os-release.hard'), body)
    seed.close()
    assert.throws(() => readFile(seed.tree, '/etc/os-release'), /closed/)
  } finally {
    removeScratch(dir)
  }
})

Seed('devices, FIFOs and whiteouts are kept with their numbers, through the tree and into a tar', async () => {
  const dir = scratch()
  try {
    writeFileSync(join(dir, 'seed.tar'), await specialSeed())
    const tree = await readSeed(join(dir, 'seed.tar'))
    const expected = [
      ['/layer/deleted', 'char', '0', 0, 0],
      ['/layer/initctl', 'fifo', '600', 0, 0],
      ['/layer/sda1', 'block', '660', 8, 1],
    ]
    assert.equal(specials(tree), expected)
    await writeTreeToTar(tree, join(dir, 'out.tar'))
    const back = await readSeed(join(dir, 'out.tar'))
    assert.equal(specials(back), expected)
    assert.equal(walk(back), walk(tree))
    const hard = walk(back).find((e) => e.path === '/etc/os-release.hard')!
    assert.equal([hard.type, hard.target], ['hardlink', '/etc/os-release'])
    assert.is(walk(back).find((e) => e.path === '/etc/os-release')!.label, 'system_u:object_r:etc_t:s0')
  } finally {
    removeScratch(dir)
  }
})

Seed('the host copy of the QM tree keeps devices, FIFOs and hard links, and setfiles labels them', async () => {
  const dir = scratch()
  try {
    writeFileSync(join(dir, 'seed.tar'), await specialSeed())
    const { plan } = rendered('bluechi: { enabled: false }\n', { format: 'stages' })
    const { host } = runPlan(plan!, await readSeed(join(dir, 'seed.tar')), { consumeSeed: true })
    const rootfs = walk(host, '/usr/lib/qm/rootfs/layer')
    assert.equal(rootfs.slice(1).map((e) => [e.path, e.type, e.major, e.minor]), [
      ['/usr/lib/qm/rootfs/layer/deleted', 'char', 0, 0],
      ['/usr/lib/qm/rootfs/layer/initctl', 'fifo', 0, 0],
      ['/usr/lib/qm/rootfs/layer/sda1', 'block', 8, 1],
    ])
    assert.ok(rootfs.every((e) => e.label?.includes('qm_file_t')), JSON.stringify(rootfs))
    const link = walk(host, '/usr/lib/qm/rootfs/etc').find((e) => e.path.endsWith('os-release.hard'))!
    assert.equal([link.type, link.target], ['hardlink', '/usr/lib/qm/rootfs/etc/os-release'])
    assert.is(readFile(host, '/etc/qm/os-release.hard').toString(), 'ID=seed\n')
  } finally {
    removeScratch(dir)
  }
})

Seed('a .tar.gz is spilled to a temporary file that is gone from the start, and read from there', async () => {
  const dir = scratch()
  const spill = join(dir, 'tmp')
  const before = process.env.TMPDIR
  try {
    writeFileSync(join(dir, 'seed.bin'), gzipSync(await specialSeed()))
    mkdirSync(spill)
    process.env.TMPDIR = spill
    const seed = await openSeed(join(dir, 'seed.bin'))
    assert.equal(readdirSync(spill), [])
    assert.is(readFile(seed.tree, '/etc/os-release.hard').toString(), 'ID=seed\n')
    assert.equal(specials(seed.tree).length, 3)
    seed.close()
  } finally {
    if (before === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = before
    removeScratch(dir)
  }
})

Seed('a directory output makes FIFOs, and devices as root; without root each device left out is named', async () => {
  const dir = scratch()
  try {
    writeFileSync(join(dir, 'seed.tar'), await specialSeed())
    const { notes } = writeTreeToDir(await readSeed(join(dir, 'seed.tar')), join(dir, 'out'))
    assert.ok(lstatSync(join(dir, 'out/layer/initctl')).isFIFO())
    assert.is(lstatSync(join(dir, 'out/layer/initctl')).mode & 0o7777, 0o600)
    if (process.getuid?.() === 0) {
      assert.equal(notes, [])
      const whiteout = lstatSync(join(dir, 'out/layer/deleted'))
      assert.ok(whiteout.isCharacterDevice())
      assert.is(whiteout.rdev, 0)
      const disk = lstatSync(join(dir, 'out/layer/sda1'))
      assert.ok(disk.isBlockDevice())
      assert.is(disk.rdev, (8 << 8) | 1)
      assert.is(disk.gid, 6)
      // and reading the directory back gives the same devices
      assert.equal(specials(await readSeed(join(dir, 'out'))), specials(await readSeed(join(dir, 'seed.tar'))))
    } else {
      assert.equal(notes.length, 2)
      assert.match(notes[0]!, /^\/layer\/deleted: character device 0:0 left out/)
      assert.match(notes[1]!, /^\/layer\/sda1: block device 8:1 left out/)
    }
    assert.is(readFile(await readSeed(join(dir, 'out')), '/etc/os-release.hard').toString(), 'ID=seed\n')
  } finally {
    removeScratch(dir)
  }
})

Seed('a seed read by reference gives the same host tree and the same tar bytes as one held in memory', async () => {
  const { plan } = rendered(`rootfs:\n  tarball: { source_path: ${join(process.cwd(), TINY_ROOTFS)} }\n`, { format: 'stages' })
  const byReference = runPlan(plan!, await readSeed(TINY_ROOTFS), { consumeSeed: true }).host
  // As seeds were read before: every entry and every byte in memfs.
  const inMemory = emptyTree()
  overlayTree(inMemory, await readSeed(TINY_ROOTFS))
  for (const e of walk(inMemory)) {
    if (e.type !== 'file') continue
    const bytes = readBytes(inMemory, e.path)
    inMemory.contents.delete(getNode(inMemory, e.path)!.ino)
    inMemory.vol.writeFileSync(e.path, bytes)
  }
  assert.ok(walk(inMemory).some((e) => e.type === 'file' && e.size > 0))
  const fromMemory = runPlan(plan!, inMemory).host
  assert.is(fromMemory.contents.size, 0)
  assert.is(inMemory.shared.size, 0)
  assert.ok(byReference.contents.size > 0)
  assert.equal(walk(byReference), walk(fromMemory))
  assert.ok((await treeToTar(byReference)).equals(await treeToTar(fromMemory)))
})

Seed('a stage writing over a seeded file replaces its reference; its hard links see the new bytes', () => {
  const t = emptyTree()
  const source = { name: 'x', read: (into: Uint8Array, at: number, n: number) => void into.fill(0x61, at, at + n) }
  createFile(t, '/f', { source, offset: 0, size: 3 }, { mode: 0o644, uid: 0, gid: 0 })
  createHardlink(t, '/f', '/g')
  assert.is(readFile(t, '/g').toString(), 'aaa')
  overwriteFile(t, '/f', Buffer.from('new\n'))
  assert.is(readFile(t, '/g').toString(), 'new\n')
  assert.is(getNode(t, '/g')!.size, 4)
  assert.is(t.contents.size, 0)
})

/** A seed tar of the given members (tar-stream headers), in that order. */
async function seedOf(members: (Partial<Headers> & { name: string; body?: string })[]): Promise<Buffer> {
  const p = pack()
  for (const { body, ...h } of members) {
    await new Promise<void>((ok, fail) => void p.entry({ mtime: new Date(0), uid: 0, gid: 0, mode: 0o644, ...h }, body ?? '', (e) => (e ? fail(e) : ok())))
  }
  p.finalize()
  const chunks: Buffer[] = []
  for await (const c of p) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

Seed('a seed names each path once: any other repeat, a bad hard link or a too deep implied directory is an error naming the path', async () => {
  const dir = scratch()
  const deep = Array.from({ length: 70 }, (_, i) => `d${i}`).join('/')
  const cases: [string, (Partial<Headers> & { name: string; body?: string })[], RegExp][] = [
    ['file twice', [{ name: 'etc/a' }, { name: 'etc/a' }], /seed\.tar: \/etc\/a: file is replaced by a later file of the same name/],
    ['file then directory', [{ name: 'a' }, { name: 'a', type: 'directory' }], /\/a: file is replaced by a later directory/],
    ['implied directory then file', [{ name: 'x/y' }, { name: 'x' }], /\/x: directory implied by the names of earlier members is replaced by a later file/],
    ['a member below a file', [{ name: 'f' }, { name: 'f/g' }], /\/f: file is replaced by a later directory|\/f: directory implied/],
    ['hard link to nothing', [{ name: 'l', type: 'link', linkname: 'missing' }], /hard link \/l names \/missing, which the seed does not hold/],
    ['hard link to a directory', [{ name: 'd', type: 'directory' }, { name: 'l', type: 'link', linkname: 'd' }], /hard link \/l names the directory \/d/],
    ['hard links in a circle', [{ name: 'a', type: 'link', linkname: 'b' }, { name: 'b', type: 'link', linkname: 'a' }], /which the seed does not hold/],
    ['a file named as the root', [{ name: '.', type: 'file' }], /a file member names the root/],
    ['too deep to imply', [{ name: `${deep}/f` }], /deeper than 64 levels/],
  ]
  try {
    for (const [what, members, message] of cases) {
      const file = join(dir, 'seed.tar')
      writeFileSync(file, await seedOf(members))
      try {
        await readSeed(file)
        assert.unreachable(what)
      } catch (e) {
        assert.instance(e, QmError, what)
        assert.is((e as QmError).code, 'TAR_READ', what)
        assert.match((e as QmError).message, message, what)
      }
    }
    // directories may repeat (the later one's metadata wins), and a later member may name an implied one
    writeFileSync(join(dir, 'seed.tar'), await seedOf([{ name: 'x/y' }, { name: 'x', type: 'directory', mode: 0o700 }, { name: 'x/', type: 'directory', mode: 0o750, uid: 5 }, { name: 'x/z', type: 'link', linkname: 'x/y' }]))
    const tree = await readSeed(join(dir, 'seed.tar'))
    assert.equal([getNode(tree, '/x')!.mode, getNode(tree, '/x')!.uid], [0o750, 5])
    assert.is(getNode(tree, '/x/z')!.ino, getNode(tree, '/x/y')!.ino)
    assert.is(getNode(tree, '/x/y')!.nlink, 2)
  } finally {
    removeScratch(dir)
  }
})

Seed.run()
