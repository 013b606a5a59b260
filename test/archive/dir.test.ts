import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { chmodSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { QmError } from '../../src/errors.ts'
import { readTree } from '../../src/archive/read-tree.ts'
import { ALL_BODIES, ALL_ENTRIES, tempDir, text } from './_helpers/tar.ts'

/** A small image tree, plus a secret beside it that no read may reach. */
function imageTree(): { root: string; outside: string; remove: () => void } {
  const { dir, remove } = tempDir()
  const root = join(dir, 'tree')
  const outside = join(dir, 'secret')
  writeFileSync(outside, 'do not read')
  mkdirSync(join(outside + '-dir'))
  writeFileSync(join(outside + '-dir', 'inner'), 'do not read either')
  for (const d of ['usr/share/containers/systemd/qm.container.d', 'etc/qm', 'usr/lib/qm/rootfs/etc']) mkdirSync(join(root, d), { recursive: true })
  writeFileSync(join(root, 'usr/share/containers/systemd/qm.container'), '[Container]\nImage=qm\n')
  writeFileSync(join(root, 'usr/share/containers/systemd/qm.container.d/10-oom.conf'), '[Service]\nOOMScoreAdjust=500\n')
  writeFileSync(join(root, 'usr/lib/qm/rootfs/etc/hosts'), '127.0.0.1 localhost\n')
  chmodSync(join(root, 'usr/lib/qm/rootfs/etc/hosts'), 0o600)
  linkSync(join(root, 'usr/lib/qm/rootfs/etc/hosts'), join(root, 'etc/qm/hosts'))
  symlinkSync(outside, join(root, 'etc/qm/escape'))
  symlinkSync('../../../secret', join(root, 'etc/qm/relative-escape'))
  symlinkSync(outside + '-dir', join(root, 'etc/qm/escape-dir'))
  symlinkSync('loop', join(root, 'etc/qm/loop'))
  return { root, outside, remove }
}

const Dir = suite('readTree: directories')

Dir('entries in sorted depth-first order with metadata; the root is /', async () => {
  const { root, remove } = imageTree()
  try {
    const index = await readTree(root, { interest: ALL_ENTRIES })
    assert.is(index.kind, 'dir')
    assert.equal([...index.entries.keys()], [
      '/',
      '/etc',
      '/etc/qm',
      '/etc/qm/escape',
      '/etc/qm/escape-dir',
      '/etc/qm/hosts',
      '/etc/qm/loop',
      '/etc/qm/relative-escape',
      '/usr',
      '/usr/lib',
      '/usr/lib/qm',
      '/usr/lib/qm/rootfs',
      '/usr/lib/qm/rootfs/etc',
      '/usr/lib/qm/rootfs/etc/hosts',
      '/usr/share',
      '/usr/share/containers',
      '/usr/share/containers/systemd',
      '/usr/share/containers/systemd/qm.container',
      '/usr/share/containers/systemd/qm.container.d',
      '/usr/share/containers/systemd/qm.container.d/10-oom.conf',
    ])
    const hosts = index.entries.get('/usr/lib/qm/rootfs/etc/hosts')!
    // the second name of a hard-linked file is a hard link to the first, as tar records it
    assert.equal([hosts.type, hosts.mode, hosts.size, hosts.target, hosts.xattrs], ['hardlink', 0o600, 0, '/etc/qm/hosts', undefined])
    assert.is(index.entries.get('/etc/qm/hosts')!.type, 'file')
    assert.is(index.entries.get('/etc/qm')!.type, 'dir')
    assert.is(index.entries.get('/etc/qm')!.size, 0)
    assert.equal(index.problems, [])
    assert.equal(index.stats, { members: 20, bytes: 21 + 29 + 20 })
  } finally {
    remove()
  }
})

Dir('symlinks pointing outside are reported as symlinks, never followed, never read', async () => {
  const { root, outside, remove } = imageTree()
  try {
    const index = await readTree(root, { interest: ALL_BODIES })
    const escape = index.entries.get('/etc/qm/escape')!
    assert.equal([escape.type, escape.target, escape.size], ['symlink', outside, 0])
    assert.is(index.entries.get('/etc/qm/relative-escape')!.target, '../../../secret')
    assert.is(index.entries.get('/etc/qm/loop')!.target, 'loop')
    assert.is(index.entries.get('/etc/qm/escape-dir')!.type, 'symlink')
    assert.not.ok([...index.entries.keys()].some((p) => p.includes('inner')), 'a symlinked directory is not descended')
    for (const [path, body] of index.bodies) assert.not.match(text(body)!, /do not read/, path)
    assert.equal([...index.bodies.keys()].sort(), [
      '/etc/qm/hosts',
      '/usr/lib/qm/rootfs/etc/hosts',
      '/usr/share/containers/systemd/qm.container',
      '/usr/share/containers/systemd/qm.container.d/10-oom.conf',
    ])
  } finally {
    remove()
  }
})

Dir('bodies only when wanted, within maxBodyBytes', async () => {
  const { root, remove } = imageTree()
  try {
    const index = await readTree(root, {
      interest: (path) => (path.startsWith('/usr/share/containers/systemd') ? 'body' : 'skip'),
      maxBodyBytes: 25,
    })
    assert.equal([...index.bodies.keys()], ['/usr/share/containers/systemd/qm.container'])
    assert.is(text(index.bodies.get('/usr/share/containers/systemd/qm.container')), '[Container]\nImage=qm\n')
    assert.equal(index.problems, [{ path: '/usr/share/containers/systemd/qm.container.d/10-oom.conf', message: "29 bytes is over the 25-byte limit for a file's content; not read" }])
    assert.is(index.stats.members, 20)
  } finally {
    remove()
  }
})

Dir('a FIFO in the tree is an "other" entry and is never opened (no hang)', async () => {
  const { root, remove } = imageTree()
  try {
    execFileSync('mkfifo', [join(root, 'etc/qm/pipe')])
    const index = await readTree(root, { interest: ALL_BODIES })
    assert.is(index.entries.get('/etc/qm/pipe')!.type, 'other')
    assert.not.ok(index.bodies.has('/etc/qm/pipe'))
  } finally {
    remove()
  }
})

Dir('the root may be named through a symlink or with a trailing slash', async () => {
  const { root, remove } = imageTree()
  try {
    symlinkSync(root, root + '-link')
    const viaLink = await readTree(root + '-link', { interest: ALL_ENTRIES })
    const withSlash = await readTree(root + '/', { interest: ALL_ENTRIES })
    assert.is(viaLink.entries.size, 20)
    assert.equal([...withSlash.entries.keys()], [...viaLink.entries.keys()])
  } finally {
    remove()
  }
})

Dir('a missing input is FILE_READ', async () => {
  try {
    await readTree('/nonexistent/qm-image', { interest: ALL_ENTRIES })
    assert.unreachable()
  } catch (e) {
    assert.instance(e, QmError)
    assert.is((e as QmError).code, 'FILE_READ')
    assert.is((e as QmError).message, '/nonexistent/qm-image: no such file or directory')
  }
})

Dir.run()
