import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { pack } from 'tar-stream'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { QmError } from '../../src/errors.ts'
import { readTree } from '../../src/archive/read-tree.ts'
import type { ReadOptions, TreeIndex } from '../../src/archive/types.ts'
import { ALL_BODIES, ALL_ENTRIES, END, concat, file, gnuLong, header, pax, readVia, tar, tempDir, text, VIAS, type Via } from './_helpers/tar.ts'

/** Run `check` on the archive read each of the four ways; they must all agree. */
function everyWay(name: string, archive: () => Uint8Array, options: Omit<ReadOptions, 'stdin'>, check: (index: TreeIndex, via: Via) => void) {
  Tar(name, async () => {
    const bytes = archive()
    for (const via of VIAS) {
      const index = await readVia(via, bytes, options)
      assert.is(index.kind, via.includes('gzip') ? 'tar.gz' : 'tar', via)
      check(index, via)
    }
  })
}

const Tar = suite('readTree: tar members')

everyWay(
  'files, directories, symlinks and hard links with their metadata',
  () => tar(
    header({ name: './', type: '5', mode: 0o755 }),
    header({ name: './etc/', type: '5', mode: 0o755 }),
    file('./etc/hostname', 'qm-host\n', { mode: 0o644, uid: 0, gid: 0 }),
    file('./etc/shadow', 'secret', { mode: 0o4600, uid: 1000, gid: 1001 }),
    header({ name: './etc/localtime', type: '2', linkname: '../usr/share/zoneinfo/UTC' }),
    header({ name: './etc/hostname.bak', type: '1', linkname: './etc/hostname' }),
    header({ name: './dev/null', type: '3', mode: 0o666 }),
    header({ name: './run/fifo', type: '6' }),
  ),
  { interest: ALL_ENTRIES },
  (index) => {
    // /dev and /run have no member: they are implied by the names below them, as tar creates them
    assert.equal([...index.entries.keys()], ['/', '/etc', '/etc/hostname', '/etc/shadow', '/etc/localtime', '/etc/hostname.bak', '/dev', '/dev/null', '/run', '/run/fifo'])
    assert.equal(index.entries.get('/dev'), { path: '/dev', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 })
    assert.equal(index.entries.get('/etc/shadow'), { path: '/etc/shadow', type: 'file', mode: 0o4600, uid: 1000, gid: 1001, size: 6 })
    assert.equal(index.entries.get('/etc'), { path: '/etc', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 })
    assert.is(index.entries.get('/etc/localtime')!.target, '../usr/share/zoneinfo/UTC', 'a symlink target is kept as stored')
    assert.is(index.entries.get('/etc/hostname.bak')!.target, '/etc/hostname', 'a hard link target is a path in the tree')
    assert.is(index.entries.get('/dev/null')!.type, 'other')
    assert.is(index.entries.get('/run/fifo')!.type, 'other')
    assert.equal(index.stats, { members: 8, bytes: 14, impliedDirs: 2 })
    assert.equal(index.problems, [])
    assert.is(index.bodies.size, 0)
  },
)

everyWay(
  'the interest function decides per path: skip, entry, or entry and body',
  () => tar(
    file('usr/share/containers/systemd/qm.container', '[Container]\nImage=qm\n'),
    file('usr/share/containers/systemd/qm.container.d/10-oom.conf', '[Service]\nOOMScoreAdjust=500\n'),
    file('usr/bin/bash', new Uint8Array(100_000).fill(7)),
    file('usr/lib/qm/rootfs/etc/hosts', 'x'),
  ),
  {
    interest: (path) =>
      path.startsWith('/usr/share/containers/systemd/') ? 'body' : path.startsWith('/usr/lib/qm') ? 'entry' : 'skip',
  },
  (index) => {
    // the directories above kept members are asked about too; the interest skips /usr/share/containers/systemd
    assert.equal([...index.entries.keys()], [
      '/usr/share/containers/systemd/qm.container',
      '/usr/share/containers/systemd/qm.container.d',
      '/usr/share/containers/systemd/qm.container.d/10-oom.conf',
      '/usr/lib/qm',
      '/usr/lib/qm/rootfs',
      '/usr/lib/qm/rootfs/etc',
      '/usr/lib/qm/rootfs/etc/hosts',
    ])
    assert.is(text(index.bodies.get('/usr/share/containers/systemd/qm.container')), '[Container]\nImage=qm\n')
    assert.is(text(index.bodies.get('/usr/share/containers/systemd/qm.container.d/10-oom.conf')), '[Service]\nOOMScoreAdjust=500\n')
    assert.not.ok(index.bodies.has('/usr/lib/qm/rootfs/etc/hosts'))
    assert.is(index.stats.members, 4, 'skipped members are counted')
    assert.is(index.stats.bytes, 21 + 29 + 100_000 + 1)
  },
)

everyWay(
  'the interest function sees normalised paths and types',
  () => tar(header({ name: 'a/', type: '5' }), file('./a//b/./c'), header({ name: '/l', type: '2', linkname: 'x' })),
  { interest: ALL_ENTRIES },
  (index) => {
    assert.equal([...index.entries.values()].map((e) => `${e.type} ${e.path}`), ['dir /a', 'dir /a/b', 'file /a/b/c', 'symlink /l'])
  },
)

everyWay(
  'ustar prefix + name, GNU long name and long link, PAX path and linkpath',
  () => {
    const deep = 'usr/lib/qm/rootfs/' + 'd'.repeat(120) + '/'
    return tar(
      file('qm.container', 'A', { prefix: 'usr/share/containers/systemd' }),
      gnuLong(deep + 'gnu-long-name', 'L'),
      file('truncated-name', 'B', { format: 'gnu' }),
      gnuLong(deep + 'gnu-long-target', 'K'),
      gnuLong(deep + 'gnu-long-link', 'L'),
      header({ name: 'short', type: '2', linkname: 'short-target', format: 'gnu' }),
      pax([['path', deep + 'pax-path-\u00e9'], ['linkpath', deep + 'pax-target']]),
      header({ name: 'ustar-fallback', type: '2', linkname: 'ustar-target' }),
    )
  },
  { interest: ALL_BODIES },
  (index) => {
    const deep = '/usr/lib/qm/rootfs/' + 'd'.repeat(120) + '/'
    assert.is(text(index.bodies.get('/usr/share/containers/systemd/qm.container')), 'A')
    assert.is(text(index.bodies.get(deep + 'gnu-long-name')), 'B')
    assert.is(index.entries.get(deep + 'gnu-long-link')!.target, 'usr/lib/qm/rootfs/' + 'd'.repeat(120) + '/gnu-long-target')
    assert.is(index.entries.get(deep + 'pax-path-\u00e9')!.target, 'usr/lib/qm/rootfs/' + 'd'.repeat(120) + '/pax-target')
    // four members, and the eight directories their names imply (/usr ... /usr/lib/qm/rootfs/ddd...)
    assert.is(index.entries.size, 4 + 8)
    assert.is(index.stats.impliedDirs, 8)
    assert.is(index.stats.members, 4, 'extended headers are not members')
  },
)

everyWay(
  'PAX size, uid and gid override the header; SCHILY.xattr.* and RHT.security.selinux become xattrs',
  () => tar(
    pax([
      ['size', '5'],
      ['uid', '4000000000'],
      ['gid', '7'],
      ['mtime', '1700000000.123'],
      ['SCHILY.xattr.security.selinux', 'system_u:object_r:qm_file_t:s0\0'],
      ['SCHILY.xattr.user.bin', new Uint8Array([0, 0xff, 0x80])],
    ]),
    header({ name: 'usr/lib/qm/rootfs/etc/motd', size: 0 }),
    new Uint8Array(512).fill(0x41, 0, 5),
    pax([['RHT.security.selinux', 'system_u:object_r:etc_t:s0']]),
    file('etc/qm/containers.conf', ''),
  ),
  { interest: ALL_BODIES },
  (index) => {
    const motd = index.entries.get('/usr/lib/qm/rootfs/etc/motd')!
    assert.equal(motd, {
      path: '/usr/lib/qm/rootfs/etc/motd',
      type: 'file',
      mode: 0o644,
      uid: 4_000_000_000,
      gid: 7,
      size: 5,
      xattrs: { 'security.selinux': 'system_u:object_r:qm_file_t:s0\0', 'user.bin': '\u0000\u00ff\u0080' },
    })
    assert.is(text(index.bodies.get('/usr/lib/qm/rootfs/etc/motd')), 'AAAAA')
    assert.equal(index.entries.get('/etc/qm/containers.conf')!.xattrs, { 'security.selinux': 'system_u:object_r:etc_t:s0' })
  },
)

everyWay(
  "bsdtar's LIBARCHIVE.xattr.* (URL-encoded name, base64 value) is read; SCHILY's raw value wins over it",
  () => tar(
    pax([['LIBARCHIVE.xattr.user.a%20b', Buffer.from('v\u0000').toString('base64')], ['LIBARCHIVE.xattr.security.selinux', Buffer.from('b64_t').toString('base64')], ['SCHILY.xattr.security.selinux', 'raw_t']]),
    file('f'),
  ),
  { interest: ALL_ENTRIES },
  (index) => {
    assert.equal(index.entries.get('/f')!.xattrs, { 'user.a b': 'v\u0000', 'security.selinux': 'raw_t' })
  },
)

everyWay(
  'a global PAX header applies its uid and xattrs to the members after it, not its path; local records win',
  () => tar(
    file('before'),
    pax([['uid', '42'], ['path', 'everything'], ['SCHILY.xattr.security.selinux', 'global_t']], 'g'),
    file('after-1'),
    pax([['SCHILY.xattr.security.selinux', 'local_t']]),
    file('after-2'),
  ),
  { interest: ALL_ENTRIES },
  (index) => {
    assert.equal([...index.entries.keys()], ['/before', '/after-1', '/after-2'])
    assert.is(index.entries.get('/before')!.uid, 0)
    assert.is(index.entries.get('/after-1')!.uid, 42)
    assert.equal(index.entries.get('/after-1')!.xattrs, { 'security.selinux': 'global_t' })
    assert.equal(index.entries.get('/after-2')!.xattrs, { 'security.selinux': 'local_t' })
    assert.equal(index.problems.map((p) => p.message), ["global extended header sets 'path', which would apply to every member; ignored"])
    assert.is(index.stats.members, 3)
  },
)

everyWay(
  'base-256 sizes and ids; old-style directories with a trailing slash; contiguous files',
  () => tar(
    header({ name: 'big-uid', uid: 2 ** 40, base256: ['uid'] }),
    header({ name: 'b256', size: 3, base256: ['size'] }),
    new Uint8Array(512).fill(0x42, 0, 3),
    header({ name: 'olddir/', type: '\0', format: 'v7' }),
    file('contig', 'C', { type: '7' }),
  ),
  { interest: ALL_BODIES },
  (index) => {
    assert.is(index.entries.get('/big-uid')!.uid, 2 ** 40)
    assert.is(text(index.bodies.get('/b256')), 'BBB')
    assert.is(index.entries.get('/olddir')!.type, 'dir')
    assert.is(text(index.bodies.get('/contig')), 'C')
  },
)

everyWay(
  'data after a symlink, FIFO or unknown type is skipped; a directory or hard link has none (as GNU tar 1.34)',
  () => tar(
    header({ name: 'sym', type: '2', linkname: 't', size: 600 }),
    new Uint8Array(1024).fill(0x4a),
    header({ name: 'fifo', type: '6', size: 10 }),
    new Uint8Array(512).fill(0x4a),
    file('unknown', 'hello', { type: 'Z' }),
    header({ name: 'dir', type: '5', size: 4096 }),
    header({ name: 'hl', type: '1', linkname: 'unknown', size: 5 }),
    file('last', 'L'),
  ),
  { interest: ALL_BODIES },
  (index) => {
    assert.equal([...index.entries.keys()], ['/sym', '/fifo', '/unknown', '/dir', '/hl', '/last'])
    assert.is(index.entries.get('/unknown')!.type, 'other')
    assert.is(index.entries.get('/sym')!.size, 0)
    assert.is(text(index.bodies.get('/last')), 'L')
    assert.not.ok(index.bodies.has('/unknown'), 'only regular files have bodies')
  },
)

everyWay(
  'a duplicate name: the later member wins; replacing a file is reported, a repeated directory is not',
  () => tar(
    header({ name: 'etc/', type: '5', mode: 0o700 }),
    file('etc/qm.conf', 'first'),
    header({ name: 'etc/', type: '5', mode: 0o755 }),
    file('etc/qm.conf', 'second'),
    file('etc/gone', 'x'),
    header({ name: 'etc/gone', type: '2', linkname: 'elsewhere' }),
  ),
  { interest: (path, type) => (path === '/etc/gone' && type === 'symlink' ? 'skip' : 'body') },
  (index) => {
    assert.is(index.entries.get('/etc')!.mode, 0o755)
    assert.is(text(index.bodies.get('/etc/qm.conf')), 'second')
    assert.not.ok(index.entries.has('/etc/gone'), 'replaced by a member the caller skips: the earlier one is dropped')
    assert.not.ok(index.bodies.has('/etc/gone'))
    assert.equal(index.problems, [
      { path: '/etc/qm.conf', message: 'file is replaced by a later file of the same name' },
      { path: '/etc/gone', message: 'file is replaced by a later symlink of the same name' },
    ])
  },
)

everyWay(
  'a wanted body over maxBodyBytes keeps its entry and gets a problem; so does one past maxTotalBodyBytes',
  () => tar(file('small', 'x'.repeat(10)), file('large', 'y'.repeat(2000)), file('a', 'z'.repeat(10)), file('b', 'w'.repeat(10))),
  { interest: ALL_BODIES, maxBodyBytes: 1000, maxTotalBodyBytes: 25 },
  (index) => {
    assert.equal([...index.entries.keys()], ['/small', '/large', '/a', '/b'])
    assert.equal([...index.bodies.keys()], ['/small', '/a'])
    assert.equal(index.problems, [
      { path: '/large', message: '2000 bytes is over the 1000-byte limit for a file\'s content; not read' },
      { path: '/b', message: 'the 25-byte limit for all content read is reached; not read' },
    ])
  },
)

everyWay(
  'maxEntries caps what is indexed, with one problem',
  () => tar(...Array.from({ length: 5 }, (_, i) => file(`f${i}`))),
  { interest: ALL_ENTRIES, maxEntries: 3 },
  (index) => {
    assert.equal([...index.entries.keys()], ['/f0', '/f1', '/f2'])
    assert.is(index.stats.members, 5)
    assert.equal(index.problems, [{ path: '/f3', message: 'more than 3 entries wanted; this and later ones are not indexed' }])
  },
)

Tar("'-' without a standard input source is FILE_READ", async () => {
  try {
    await readTree('-', { interest: ALL_ENTRIES })
    assert.unreachable()
  } catch (e) {
    assert.instance(e, QmError)
    assert.is((e as QmError).code, 'FILE_READ')
  }
})

const Links = suite('readTree: hard link content')

const ostreeLike = () => tar(
  file('ostree/repo/objects/ab/cdef.file', '[Container]\nImage=qm\n'),
  file('ostree/repo/objects/ab/other.file', 'other'),
  header({ name: 'usr/share/containers/systemd/qm.container', type: '1', linkname: 'ostree/repo/objects/ab/cdef.file' }),
  file('ostree/repo/objects/ab/cdef.file', 'replaced later: the link keeps the first'),
)

Links('a wanted hard link gets its target\'s content even when the target was skipped (second pass)', async () => {
  const interest: ReadOptions['interest'] = (path) => (path.startsWith('/usr/share/containers') ? 'body' : 'skip')
  for (const via of ['file', 'gzip file'] as const) {
    const index = await readVia(via, ostreeLike(), { interest })
    assert.is(text(index.bodies.get('/usr/share/containers/systemd/qm.container')), '[Container]\nImage=qm\n', via)
    assert.equal(index.problems, [], via)
  }
})

Links('on standard input the skipped target is gone, and a problem says so', async () => {
  const interest: ReadOptions['interest'] = (path) => (path.startsWith('/usr/share/containers') ? 'body' : 'skip')
  for (const via of ['stdin', 'stdin gzip'] as const) {
    const index = await readVia(via, ostreeLike(), { interest })
    assert.not.ok(index.bodies.has('/usr/share/containers/systemd/qm.container'))
    assert.equal(index.problems, [{
      path: '/usr/share/containers/systemd/qm.container',
      message: 'content of this hard link not read: standard input cannot be read twice',
    }])
  }
})

Links('a kept target is shared with the link on every input', async () => {
  for (const via of VIAS) {
    const index = await readVia(via, ostreeLike(), { interest: ALL_BODIES })
    assert.is(text(index.bodies.get('/usr/share/containers/systemd/qm.container')), '[Container]\nImage=qm\n', via)
    assert.is(text(index.bodies.get('/ostree/repo/objects/ab/cdef.file')), 'replaced later: the link keeps the first', via)
  }
})

Links('a hard link replaced by a later member of its name gets that member, not its old target', async () => {
  const archive = tar(file('target', 'old'), header({ name: 'etc/qm.conf', type: '1', linkname: 'target' }), file('etc/qm.conf', 'new'))
  for (const via of VIAS) {
    const index = await readVia(via, archive, { interest: (path) => (path === '/target' ? 'skip' : 'body') })
    assert.is(index.entries.get('/etc/qm.conf')!.type, 'file', via)
    assert.is(text(index.bodies.get('/etc/qm.conf')), 'new', via)
    assert.equal(index.problems, [{ path: '/etc/qm.conf', message: 'hard link is replaced by a later file of the same name' }], via)
  }
})

Links('a link to a missing or later target gets a problem, not a crash', async () => {
  const archive = tar(header({ name: 'link', type: '1', linkname: 'later' }), file('later', 'x'), header({ name: 'dangling', type: '1', linkname: 'nowhere' }))
  for (const via of ['file', 'gzip file'] as const) {
    const index = await readVia(via, archive, { interest: (path) => (path === '/later' ? 'skip' : 'body') })
    assert.equal(index.bodies.size, 0)
    assert.equal(index.problems.map((p) => p.path), ['/link', '/dangling'], via)
  }
})

const Writer = suite('readTree: archives from another writer (tar-stream)')

async function packed(entries: [Parameters<ReturnType<typeof pack>['entry']>[0], string?][]): Promise<Uint8Array> {
  const p = pack()
  for (const [h, body] of entries) p.entry(h, body ?? '')
  p.finalize()
  const out: Uint8Array[] = []
  for await (const chunk of p) out.push(chunk as Uint8Array)
  return concat(out)
}

Writer('long names, PAX xattrs, links and bodies written by tar-stream read back the same every way', async () => {
  const long = `usr/lib/qm/rootfs/usr/share/${'x'.repeat(150)}/qm.conf`
  const archive = await packed([
    [{ name: 'usr/lib/qm/rootfs', type: 'directory', mode: 0o755 }],
    [{ name: long, mode: 0o640, uid: 1, gid: 2, pax: { 'SCHILY.xattr.security.selinux': 'system_u:object_r:qm_file_t:s0' } }, 'conf\n'],
    [{ name: 'etc/qm', type: 'symlink', linkname: '../usr/lib/qm/rootfs/etc' }],
    [{ name: 'usr/lib/qm/copy.conf', type: 'link', linkname: long }],
  ])
  for (const via of VIAS) {
    const index = await readVia(via, archive, { interest: ALL_BODIES })
    const implied = ['/usr/lib/qm/rootfs/usr', '/usr/lib/qm/rootfs/usr/share', `/usr/lib/qm/rootfs/usr/share/${'x'.repeat(150)}`]
    assert.equal([...index.entries.keys()], ['/usr', '/usr/lib', '/usr/lib/qm', '/usr/lib/qm/rootfs', ...implied, `/${long}`, '/etc', '/etc/qm', '/usr/lib/qm/copy.conf'], via)
    const conf = index.entries.get(`/${long}`)!
    assert.equal([conf.mode, conf.uid, conf.gid, conf.size], [0o640, 1, 2, 5])
    assert.equal(conf.xattrs, { 'security.selinux': 'system_u:object_r:qm_file_t:s0' })
    assert.is(text(index.bodies.get('/usr/lib/qm/copy.conf')), 'conf\n')
  }
})

const Ends = suite('readTree: where the archive ends')

Ends('after the two zero blocks nothing is read, whatever follows', async () => {
  const archive = concat([file('a', 'x'), END, new Uint8Array(2048).fill(0x55)])
  for (const via of VIAS) {
    const index = await readVia(via, archive, { interest: ALL_ENTRIES })
    assert.equal([...index.entries.keys()], ['/a'], via)
    assert.equal(index.problems, [], via)
  }
})

Ends('a gzip file whose archive ends long before the compressed stream: stopped early, read twice, all closed', async () => {
  // 4 MiB of incompressible bytes after the end-of-archive blocks: many reads, abandoned part way.
  const junk = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24)
  const archive = concat([
    file('ostree/repo/objects/aa/bb.file', 'content'),
    header({ name: 'etc/qm/linked', type: '1', linkname: 'ostree/repo/objects/aa/bb.file' }),
    END,
    junk,
  ])
  const { dir, remove } = tempDir()
  try {
    const path = join(dir, 'image.tar.gz')
    writeFileSync(path, gzipSync(archive, { level: 1 }))
    const fds = () => readdirSync('/proc/self/fd').length
    const before = fds()
    for (let i = 0; i < 3; i++) {
      const index = await readTree(path, { interest: (p) => (p === '/etc/qm/linked' ? 'body' : 'skip') })
      assert.is(text(index.bodies.get('/etc/qm/linked')), 'content')
      assert.equal(index.problems, [])
    }
    assert.is(fds(), before, 'no file descriptor left open')
  } finally {
    remove()
  }
})

Ends('a lone zero block ends the archive with a problem, as GNU tar warns', async () => {
  const archive = concat([file('a'), new Uint8Array(512), file('b'), END])
  for (const via of VIAS) {
    const index = await readVia(via, archive, { interest: ALL_ENTRIES })
    assert.equal([...index.entries.keys()], ['/a'], via)
    assert.equal(index.problems, [{ message: 'a lone zero block at byte 512 ends the archive' }], via)
  }
})

Ends('no end-of-archive blocks at a member boundary: indexed, with a problem saying it may be truncated', async () => {
  for (const via of VIAS) {
    const index = await readVia(via, concat([file('a', 'x')]), { interest: ALL_ENTRIES })
    assert.equal([...index.entries.keys()], ['/a'], via)
    assert.equal(index.problems, [{ message: 'the archive has no end-of-archive blocks; it may be truncated' }], via)
  }
})

Tar.run()
Links.run()
Writer.run()
Ends.run()

const Partial = suite('readTree: partial, on an archive cut short')

Partial('what came before is indexed; the member cut is kept with no content, marked unread; where it ends is a truncated problem', async () => {
  const whole = tar(file('etc/a.conf', 'A'), file('etc/b.conf', 'B'.repeat(3000)), file('etc/c.conf', 'C'))
  const cut = whole.subarray(0, 512 + 512 + 512 + 1024) // a.conf, then b.conf's header and 1024 of its 3000 bytes
  for (const via of VIAS) {
    await readVia(via, cut, { interest: ALL_BODIES }).then(
      () => assert.unreachable(`${via}: without partial, a truncated archive is an error`),
      (e) => assert.is((e as QmError).code, 'TAR_READ', via),
    )
    const index = await readVia(via, cut, { interest: ALL_BODIES, partial: true })
    assert.is(index.kind, via.includes('gzip') ? 'tar.gz' : 'tar', via)
    assert.equal([...index.entries.keys()], ['/etc', '/etc/a.conf', '/etc/b.conf'], via)
    assert.is(text(index.bodies.get('/etc/a.conf')), 'A', via)
    assert.not.ok(index.bodies.has('/etc/b.conf'), `${via}: no partial content`)
    const unread = index.problems.find((p) => p.unread)
    assert.equal([unread?.path, unread?.message], ['/etc/b.conf', 'the archive ends inside its content (3000 bytes claimed); not read'], via)
    assert.match(index.problems.find((p) => p.truncated)?.message ?? '', /^(member claims 3000 bytes but the archive has only 1024 left|truncated archive: the input ends inside member data), at byte \d+ \/ member 2$/, via)
  }
})

Partial('a gzip stream cut short is a truncation too; a corrupt one stays an error', async () => {
  const { randomBytes } = await import('node:crypto')
  const archive = gzipSync(tar(file('etc/a.conf', 'A'), file('etc/noise', randomBytes(600_000))))
  const { dir, remove } = tempDir()
  try {
    const path = join(dir, 'cut.tar.gz')
    writeFileSync(path, archive.subarray(0, archive.length - 5000))
    const index = await readTree(path, { interest: ALL_BODIES, partial: true })
    assert.is(text(index.bodies.get('/etc/a.conf')), 'A')
    assert.match(index.problems.find((p) => p.truncated)?.message ?? '', /^truncated gzip stream \(unexpected end of file\), at byte \d+ \/ member 2$/)
    const corrupt = archive.slice()
    for (let i = 40; i < 200; i++) corrupt[i]! ^= 0x5a
    writeFileSync(path, corrupt)
    await readTree(path, { interest: ALL_BODIES, partial: true }).then(
      () => assert.unreachable('a corrupt stream is not read partially'),
      (e) => assert.match((e as QmError).message, /corrupt gzip stream/),
    )
  } finally {
    remove()
  }
})

Partial.run()

const Implied = suite('readTree: directories implied by the names below them')

Implied('only the directories past the last member\'s are looked at; depth and length are capped', async () => {
  const seen: string[] = []
  const deep = 'x/'.repeat(70)
  const archive = tar(file('a/b/c/1'), file('a/b/c/2'), file('a/b/d/3'), file('a/bc/4'), header({ name: 'a/b/', type: '5', mode: 0o700 }), pax([['path', `z/${deep}f`]]), header({ name: 'ignored' }))
  for (const via of VIAS) {
    seen.length = 0
    const index = await readVia(via, archive, { interest: (path, type) => (type === 'dir' && seen.push(path), 'entry') })
    assert.equal(seen.slice(0, 7), ['/a', '/a/b', '/a/b/c', '/a/b/d', '/a/bc', '/a/b', '/z'], `${via}: each directory asked once, a listed one again for its member`)
    assert.equal(index.entries.get('/a/b'), { path: '/a/b', type: 'dir', mode: 0o700, uid: 0, gid: 0, size: 0 }, `${via}: a later member replaces the implied directory, silently`)
    assert.is(index.stats.impliedDirs, 4 + 64, `${via}: /a /a/b/c /a/b/d /a/bc, and /z and 63 levels below it`)
    assert.ok(index.entries.has(`/z/${'x/'.repeat(62)}x`) && !index.entries.has(`/z/${'x/'.repeat(63)}x`), via)
    assert.equal(index.problems.map((p) => p.message), ['directories deeper than 64 levels or 4096 bytes are not implied from the names below them (this is the first one)'], via)
  }
})

Implied.run()
