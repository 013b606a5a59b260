// A copy of a finished pipeline's directory is read where it is (shared) until something below it changes.
// Every case runs twice, from a finished tree (shared) and from the same tree unfinished (copied entry by
// entry, as before sharing existed), and both must give the same tree.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { cpArchive } from '../../src/tree/ops/copy.ts'
import {
  createDir,
  createFile,
  createHardlink,
  createSpecial,
  createSymlink,
  emptyTree,
  getNode,
  isFsError,
  listDir,
  overwriteFile,
  readFile,
  removePath,
  setMeta,
  walk,
  type Tree,
} from '../../src/tree/vtree.ts'
import { DIR, FILE, tarFile } from '../_helpers/image.ts'
import { removeScratch, scratch } from '../_helpers/scratch.ts'
import { readSeed } from '../../src/tree/export.ts'


/** A small OS tree: nested directories, a symlink, a FIFO, and hard links inside one directory and across two. */
function source(finished: boolean): Tree {
  const t = emptyTree()
  for (const d of ['/usr', '/usr/lib', '/usr/lib/deep', '/usr/bin', '/etc', '/etc/sub', '/var']) createDir(t, d, DIR)
  createFile(t, '/usr/lib/deep/a', Buffer.from('a\n'), { mode: 0o600, uid: 3, gid: 4, label: 'system_u:object_r:lib_t:s0' })
  createHardlink(t, '/usr/lib/deep/a', '/usr/lib/deep/a2')
  createFile(t, '/usr/bin/tool', Buffer.from('tool\n'), { mode: 0o755, uid: 0, gid: 0 })
  // linked across /usr/bin and /usr/lib: /usr can be shared, /usr/bin alone cannot
  createHardlink(t, '/usr/bin/tool', '/usr/lib/tool')
  createSymlink(t, '/usr/lib/libx.so', 'deep/a', { uid: 7, gid: 8 })
  createFile(t, '/etc/os-release', Buffer.from('ID=seed\n'), FILE)
  createFile(t, '/etc/sub/conf', Buffer.from('x=1\n'), FILE)
  createSpecial(t, '/var/fifo', { type: 'fifo', major: 0, minor: 0 }, { mode: 0o600, uid: 0, gid: 0 })
  t.finished = finished
  return t
}

/** `cp -a SRC/ DST/` of the whole tree into /qm, as the host pipeline copies the QM tree. */
function copied(finished: boolean): { from: Tree; to: Tree } {
  const from = source(finished)
  const to = emptyTree()
  createDir(to, '/qm', DIR)
  cpArchive({ tree: from, path: '/', contents: true }, { tree: to, path: '/qm', contents: true }, false)
  return { from, to }
}

const everything = (t: Tree) => walk(t).map((e) => ({ ...e, body: e.type === 'file' ? readFile(t, e.path).toString() : undefined }))

/** The same changes on a shared copy and on a real one give the same tree. */
function same(change: (t: Tree) => void): void {
  const shared = copied(true)
  const real = copied(false)
  assert.ok(shared.to.shared.size > 0, 'the finished tree is shared')
  assert.is(real.to.shared.size, 0)
  change(shared.to)
  change(real.to)
  assert.equal(everything(shared.to), everything(real.to))
}

const Share = suite('shared copies')

Share('read: a shared copy walks, lists and reads as a real copy', () => {
  same(() => {})
  const { to } = copied(true)
  assert.equal(listDir(to, '/qm/usr/lib'), ['deep', 'libx.so', 'tool'])
  const hard = walk(to).filter((e) => e.type === 'hardlink').map((e) => [e.path, e.target])
  assert.equal(hard, [['/qm/usr/lib/deep/a2', '/qm/usr/lib/deep/a'], ['/qm/usr/lib/tool', '/qm/usr/bin/tool']])
  // the copy's inodes are its own: not the source's, and not shared with another copy
  const other = copied(true).to
  assert.is.not(getNode(to, '/qm/etc/os-release')!.ino, getNode(other, '/qm/etc/os-release')!.ino)
})

Share('labels and modes set on shared entries are the copy\'s only', () => {
  same((t) => {
    setMeta(t, '/qm/usr/lib/deep/a2', { label: 'system_u:object_r:qm_file_t:s0' })
    setMeta(t, '/qm/etc/os-release', { mode: 0o4711, uid: 9 })
    setMeta(t, '/qm/usr/lib/libx.so', { label: 'u:r:l:s0' })
  })
  const { from, to } = copied(true)
  setMeta(to, '/qm/usr/lib/deep/a', { label: 'system_u:object_r:qm_file_t:s0', mode: 0o640 })
  assert.is(getNode(to, '/qm/usr/lib/deep/a2')!.label, 'system_u:object_r:qm_file_t:s0')
  assert.is(getNode(to, '/qm/usr/lib/deep/a2')!.mode, 0o640)
  assert.is(getNode(from, '/usr/lib/deep/a')!.label, 'system_u:object_r:lib_t:s0')
  assert.is(getNode(from, '/usr/lib/deep/a')!.mode, 0o600)
})

Share('changes below a shared directory make the copy there first, keeping what was set and the hard links', () => {
  same((t) => {
    setMeta(t, '/qm/usr/lib/deep/a', { label: 'u:r:before:s0' })
    setMeta(t, '/qm/usr/lib', { mode: 0o700 })
    createFile(t, '/qm/usr/lib/deep/new', Buffer.from('n\n'), FILE)
    overwriteFile(t, '/qm/etc/sub/conf', Buffer.from('x=2\n'))
    removePath(t, '/qm/var/fifo')
    createHardlink(t, '/qm/usr/bin/tool', '/qm/etc/tool')
    createSymlink(t, '/qm/etc/sub/l', '../os-release')
    removePath(t, '/qm/usr/lib')
    createDir(t, '/qm/usr/lib', DIR)
  })
  same((t) => {
    // a hard link inside a directory that is made while its other name stays shared below
    overwriteFile(t, '/qm/usr/lib/deep/a2', Buffer.from('changed\n'))
    setMeta(t, '/qm/usr/lib/deep/a', { label: 'u:r:after:s0' })
  })
})

/** `source` written as a tar and read back as a seed: a tree whose every entry is read through the seed's table. */
async function seeded(): Promise<Tree> {
  const dir = scratch('share')
  try {
    // the tar is unlinked at once: the seed reads it through its open descriptor
    return await readSeed(await tarFile(source(false), dir))
  } finally {
    removeScratch(dir)
  }
}

const CHANGES = (root: string) => (t: Tree) => {
  setMeta(t, `${root}/usr/lib/deep/a`, { label: 'u:r:before:s0' })
  createFile(t, `${root}/usr/lib/deep/new`, Buffer.from('n\n'), FILE)
  overwriteFile(t, `${root}/etc/sub/conf`, Buffer.from('x=2\n'))
  removePath(t, `${root}/var/fifo`)
  createHardlink(t, `${root}/usr/bin/tool`, `${root}/etc/tool`)
}

Share('a seed read through its table walks, changes and is copied as the same tree held in memfs', async () => {
  const view = await seeded()
  const memfs = source(false)
  assert.ok(view.shared.size > 0, 'the seed is read through its table')
  assert.equal(everything(view), everything(memfs))
  CHANGES('')(view)
  CHANGES('')(memfs)
  assert.equal(everything(view), everything(memfs))
  // a copy of a tree that itself reads through shared directories: two levels of sharing
  view.finished = true
  const twice = emptyTree()
  const real = emptyTree()
  for (const [from, to] of [[view, twice], [memfs, real]] as const) {
    createDir(to, '/qm', DIR)
    cpArchive({ tree: from, path: '/', contents: true }, { tree: to, path: '/qm', contents: true }, false)
  }
  assert.ok(twice.shared.size > 0, 'the copy shares')
  assert.is(real.shared.size, 0)
  assert.equal(everything(twice), everything(real))
  const more = (t: Tree) => {
    setMeta(t, '/qm/usr/lib/deep/a2', { mode: 0o640 })
    overwriteFile(t, '/qm/usr/lib/deep/a', Buffer.from('changed\n'))
    createFile(t, '/qm/etc/sub/deeper', Buffer.from('d\n'), FILE)
  }
  more(twice)
  more(real)
  assert.equal(everything(twice), everything(real))
  // the copy's hard links are its own: the first-level tree still reads the old bytes
  assert.is(readFile(view, '/usr/lib/deep/a2').toString(), 'a\n')
})

Share('a tree other trees read from cannot change', () => {
  const { from } = copied(true)
  assert.ok(from.lent)
  for (const change of [() => createFile(from, '/etc/x', Buffer.from(''), FILE), () => setMeta(from, '/etc/os-release', { mode: 0o600 }), () => removePath(from, '/usr')]) {
    assert.throws(change, (e: unknown) => isFsError(e, 'EPERM'))
  }
})

Share.run()
