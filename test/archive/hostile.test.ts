import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { TreeIndex } from '../../src/archive/types.ts'
import { corpus } from '../corpus/tar/_helpers/archives.ts'
import { ALL_BODIES, readVia, text, VIAS } from './_helpers/tar.ts'

/** Read a corpus archive every way; all must give the same index, which `check` looks at. */
async function read(name: string): Promise<TreeIndex> {
  const archive = corpus().find((a) => a.name === name)!
  const indexes = await Promise.all(VIAS.map((via) => readVia(via, archive.bytes, { interest: ALL_BODIES })))
  const [first] = indexes
  // Only why a hard link's content is missing may differ: standard input cannot be read a second time.
  const problems = (index: TreeIndex) => index.problems.map((p) => ({ ...p, message: p.message.replace(/(hard link not read):.*/, '$1') }))
  for (const [i, index] of indexes.entries()) {
    assert.equal([...index.entries.values()], [...first!.entries.values()], VIAS[i])
    assert.equal(problems(index), problems(first!), VIAS[i])
  }
  return first!
}

const Hostile = suite('hostile archives that read to the end')

Hostile("'..' names are not indexed, absolute names land inside the tree", async () => {
  const index = await read('dotdot-and-absolute-names.tar')
  assert.equal([...index.entries.keys()], ['/etc', '/etc/qm', '/etc/qm/abs.conf'], 'the directories of the indexed name are implied; none of the refused ones')
  assert.is(text(index.bodies.get('/etc/qm/abs.conf')), 'abs')
  assert.equal(index.problems.map((p) => p.message), [
    "member name contains '..': '../etc/shadow' (member 1) is not indexed",
    "member name contains '..': 'a/../../b' (member 2) is not indexed",
    "member name contains '..': 'a/../c' (member 3) is not indexed",
    "member name contains '..': '..' (member 5) is not indexed",
  ])
  assert.is(index.stats.members, 5)
})

Hostile('symlinks pointing out are kept as stored and never followed or read', async () => {
  const index = await read('symlink-escapes.tar')
  assert.is(index.entries.get('/etc/qm/containers')!.target, '../../../../../etc/shadow')
  assert.is(index.entries.get('/etc/qm/abs')!.target, '/etc/shadow')
  assert.is(index.bodies.size, 0)
  assert.equal(index.problems, [])
})

Hostile('a hard link out of the tree keeps its entry with the raw target, and a problem; nothing is read', async () => {
  const index = await read('hardlink-escapes.tar')
  assert.is(index.entries.get('/etc/qm/passwd')!.target, '../../etc/passwd')
  assert.is(index.entries.get('/etc/qm/abs')!.target, '/etc/passwd', 'a leading / names a member, as tar strips it')
  assert.is(index.bodies.size, 0)
  assert.equal(index.problems, [
    { path: '/etc/qm/passwd', message: "hard link target '../../etc/passwd' is not a path in the tree (member name contains '..')" },
    { path: '/etc/qm/abs', message: 'content of this hard link not read: no regular file /etc/passwd within the limits comes before it in the archive' },
  ])
})

Hostile('symlink and hard link loops are only stored', async () => {
  const index = await read('symlink-loop.tar')
  assert.equal([...index.entries.values()].map((e) => `${e.path} -> ${e.target}`), ['/a -> b', '/b -> a', '/self -> .', '/hl -> /hl'])
})

Hostile('duplicates: the last member wins and every replacement is reported', async () => {
  const index = await read('duplicates.tar')
  assert.is(index.entries.get('/etc/qm.conf')!.type, 'file')
  assert.is(text(index.bodies.get('/etc/qm.conf')), 'three')
  assert.equal(index.problems.map((p) => p.message), [
    'file is replaced by a later file of the same name',
    'file is replaced by a later directory of the same name',
    'directory is replaced by a later file of the same name',
  ])
})

Hostile('malformed PAX records are a problem; the member keeps its ustar name', async () => {
  const index = await read('pax-malformed-records.tar')
  assert.equal([...index.entries.keys()], ['/ok'])
  assert.is(text(index.bodies.get('/ok')), 'fine')
  assert.equal(index.problems, [{ message: 'PAX record length does not match its text in the extended header at byte 0; the rest of it is ignored' }])
})

Hostile('a PAX path with a NUL byte is not indexed', async () => {
  const index = await read('pax-path-with-nul.tar')
  assert.is(index.entries.size, 0)
  assert.match(index.problems[0]!.message, /^member name contains a NUL byte: 'etc\/qm\\x00\/\.\.\/\.\.\/shadow' \(member 1\)/)
})

Hostile('a long name with no member after it is a problem', async () => {
  const index = await read('gnu-longname-without-member.tar')
  assert.equal([...index.entries.keys()], ['/a'])
  assert.equal(index.problems, [{ message: 'extended header at byte 512 is not followed by a member' }])
})

Hostile('a file member naming the root is not indexed; a directory one is', async () => {
  const index = await read('root-as-file.tar')
  assert.equal([...index.entries.values()].map((e) => `${e.type} ${e.path}`), ['dir /'])
  assert.equal(index.problems, [{ path: '/', message: 'a file member names the root; not indexed' }])
})

Hostile('a GNU sparse member: its extension block is stepped over, its real size kept, its content not read', async () => {
  const index = await read('gnu-sparse.tar')
  assert.equal(index.entries.get('/var/lib/sparse.img'), { path: '/var/lib/sparse.img', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1024 ** 3 })
  assert.not.ok(index.bodies.has('/var/lib/sparse.img'))
  assert.is(text(index.bodies.get('/after')), 'A')
  assert.equal(index.problems, [{ path: '/var/lib/sparse.img', message: 'sparse file: its content is not read' }])
})

Hostile('problems are capped at 1000 plus a count', async () => {
  const index = await read('many-bad-names.tar')
  assert.is(index.problems.length, 1001)
  assert.equal(index.problems.at(-1), { message: '2000 more problems not listed' })
  assert.is(index.stats.members, 3000)
})

Hostile('a 40,000-character name is just a long path', async () => {
  const index = await read('deep-name.tar')
  assert.is([...index.entries.keys()].at(-1)!.length, 40_002)
  // implying every one of its 20,000 directories would hash 20,000 strings of up to 40,000 characters
  assert.is(index.stats.impliedDirs, 64, 'the first 64 levels are implied, no deeper')
  assert.equal(index.problems.map((p) => p.message), ['directories deeper than 64 levels or 4096 bytes are not implied from the names below them (this is the first one)'])
  assert.is(text(index.bodies.get('/' + 'd/'.repeat(20_000) + 'f')), 'deep')
})

Hostile.run()
