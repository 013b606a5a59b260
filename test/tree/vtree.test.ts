import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  createDir,
  createFile,
  createHardlink,
  createSymlink,
  emptyTree,
  overlayTree,
  readFile,
  removePath,
  resolve,
  setMeta,
  walk,
  type Tree,
} from '../../src/tree/vtree.ts'
import { DIR, FILE } from '../_helpers/image.ts'


function small(): Tree {
  const t = emptyTree()
  createDir(t, '/usr', DIR)
  createDir(t, '/usr/lib', DIR)
  createFile(t, '/usr/lib/os-release', Buffer.from('ID=x\n'), FILE)
  createDir(t, '/etc', DIR)
  createSymlink(t, '/etc/os-release', '../usr/lib/os-release')
  createSymlink(t, '/lib', 'usr/lib')
  createSymlink(t, '/abs', '/usr/lib')
  return t
}

const Vtree = suite('vtree')

Vtree('walks parents first with names in byte order and reports metadata', () => {
  const t = small()
  createDir(t, '/a-b', { mode: 0o700, uid: 5, gid: 6 })
  createDir(t, '/a', DIR)
  createFile(t, '/a/x', Buffer.from('12345'), { mode: 0o600, uid: 1, gid: 2, label: 'u:r:t:s0' })
  assert.equal(walk(t).map((e) => e.path), ['/', '/a', '/a/x', '/a-b', '/abs', '/etc', '/etc/os-release', '/lib', '/usr', '/usr/lib', '/usr/lib/os-release'])
  assert.equal(walk(t, '/a')[1], { path: '/a/x', type: 'file', mode: 0o600, uid: 1, gid: 2, size: 5, label: 'u:r:t:s0' })
  assert.equal(walk(t, '/etc')[1], { path: '/etc/os-release', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 21, target: '../usr/lib/os-release' })
})

Vtree('keeps modes that memfs itself would refuse to work with', () => {
  const t = emptyTree()
  createDir(t, '/ro', { mode: 0o000, uid: 0, gid: 0 })
  createFile(t, '/ro/f', Buffer.from('x'), { mode: 0o000, uid: 0, gid: 0 })
  assert.is(readFile(t, '/ro/f').toString(), 'x')
  assert.equal(walk(t).map((e) => e.mode), [0o755, 0o000, 0o000])
})

Vtree('resolves relative symlinks; absolute ones only chroot-style, otherwise EXDEV', () => {
  const t = small()
  assert.is(resolve(t, '/lib/os-release').path, '/usr/lib/os-release')
  assert.is(resolve(t, '/etc/os-release', { follow: true }).path, '/usr/lib/os-release')
  assert.is(resolve(t, '/abs/os-release', { chroot: true }).path, '/usr/lib/os-release')
  assert.throws(() => resolve(t, '/abs/os-release'), (e: { code: string }) => e.code === 'EXDEV')
  assert.throws(() => resolve(t, '/nope/x'), (e: { code: string }) => e.code === 'ENOENT')
  assert.throws(() => resolve(t, '/usr/lib/os-release/x'), (e: { code: string }) => e.code === 'ENOTDIR')
  assert.is(resolve(t, '/usr/new').node, undefined)
})

Vtree('hard links share metadata and report the first path', () => {
  const t = small()
  createHardlink(t, '/usr/lib/os-release', '/etc/hard')
  setMeta(t, '/etc/hard', { mode: 0o600, label: 'u:r:h:s0' })
  const entries = walk(t).filter((e) => e.type === 'file' || e.type === 'hardlink')
  assert.equal(entries.map((e) => [e.path, e.type, e.mode, e.label, e.target]), [
    ['/etc/hard', 'file', 0o600, 'u:r:h:s0', undefined],
    ['/usr/lib/os-release', 'hardlink', 0o600, 'u:r:h:s0', '/etc/hard'],
  ])
  removePath(t, '/etc/hard')
  const alone = walk(t).find((e) => e.path === '/usr/lib/os-release')!
  assert.equal([alone.type, alone.target], ['file', undefined])
})

Vtree('overlay merges directories, takes the seed metadata and replaces everything else', () => {
  const into = emptyTree()
  createDir(into, '/etc', { mode: 0o700, uid: 0, gid: 0 })
  createFile(into, '/etc/keep', Buffer.from('k'), FILE)
  createDir(into, '/lib', DIR)
  overlayTree(into, small())
  assert.is(walk(into, '/etc')[0]!.mode, 0o755)
  assert.is(readFile(into, '/etc/keep').toString(), 'k')
  assert.is(walk(into, '/lib')[0]!.type, 'symlink')
  assert.is(readFile(into, '/etc/os-release').toString(), 'ID=x\n')
})

Vtree.run()
