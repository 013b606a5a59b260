// Cross-checks against archives GNU tar writes, when it is installed (CI does not need it: each test says
// it was skipped otherwise). The directory reader on the source tree is the reference: both readers must
// give the same entries and bodies.

import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, createWriteStream, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readTree } from '../../src/archive/read-tree.ts'
import type { Entry, TreeIndex } from '../../src/archive/types.ts'
import { ALL_BODIES, chunks, tempDir } from './_helpers/tar.ts'

const TAR = '/usr/bin/tar'
const gnuTar = (() => {
  const r = spawnSync(TAR, ['--version'], { encoding: 'utf8' })
  return r.status === 0 && r.stdout.includes('GNU tar')
})()

function sourceTree(root: string): void {
  const long = 'a-directory-name-that-is-long/'.repeat(6) // 180 characters: needs a long-name extension
  for (const d of ['usr/lib/qm/rootfs/etc/containers/systemd', `usr/lib/qm/rootfs/${long}`, 'etc/qm', 'var/qm/tmp']) {
    mkdirSync(join(root, d), { recursive: true })
  }
  writeFileSync(join(root, 'usr/lib/qm/rootfs/etc/containers/systemd/radio.container'), '[Container]\nImage=radio\nOOMScoreAdjust=1000\n')
  writeFileSync(join(root, `usr/lib/qm/rootfs/${long}qm-\u00e9l\u00e8ve.conf`), 'long and non-ASCII\n')
  writeFileSync(join(root, 'usr/lib/qm/rootfs/etc/empty'), '')
  writeFileSync(join(root, 'usr/lib/qm/rootfs/etc/binary'), new Uint8Array(70_000).map((_, i) => (i * 31) & 0xff))
  chmodSync(join(root, 'usr/lib/qm/rootfs/etc/binary'), 0o4755)
  linkSync(join(root, 'usr/lib/qm/rootfs/etc/containers/systemd/radio.container'), join(root, 'etc/qm/radio.container'))
  symlinkSync('../usr/lib/qm/rootfs/etc', join(root, 'etc/qm/etc'))
  symlinkSync('/' + 'x'.repeat(150), join(root, 'etc/qm/long-target'))
}

/** What both readers must agree on: hard links on disk are plain files, so they compare as such. */
function comparable(index: TreeIndex): [string, Omit<Entry, 'type' | 'target' | 'xattrs'> & { type: string; target?: string; body?: string }][] {
  return [...index.entries.values()]
    .map((e): [string, Omit<Entry, 'type' | 'target' | 'xattrs'> & { type: string; target?: string; body?: string }] => {
      const body = index.bodies.get(e.path)
      const linked = e.type === 'hardlink' ? index.entries.get(e.target!) : undefined
      const entry = linked ? { ...linked, path: e.path } : { ...e }
      delete entry.xattrs
      return [e.path, { ...entry, ...(body ? { body: Buffer.from(body).toString('base64') } : {}) }]
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

const Gnu = suite('readTree: archives written by GNU tar')

for (const format of ['gnu', 'oldgnu', 'posix'] as const) {
  Gnu(`--format=${format}: the same entries and bodies as the source directory, tar and tar.gz`, async () => {
    if (!gnuTar) return console.log(`  (skipped: no GNU tar at ${TAR})`)
    const { dir, remove } = tempDir()
    try {
      const root = join(dir, 'tree')
      sourceTree(root)
      const archive = join(dir, 'image.tar')
      const extra = format === 'posix' ? ['--xattrs'] : []
      execFileSync(TAR, [`--format=${format}`, ...extra, '--sort=name', '-cf', archive, '-C', root, '.'])
      execFileSync('gzip', ['-k', archive])
      const reference = comparable(await readTree(root, { interest: ALL_BODIES }))
      for (const input of [archive, `${archive}.gz`]) {
        const index = await readTree(input, { interest: ALL_BODIES })
        assert.equal(index.problems, [], input)
        assert.equal(comparable(index), reference, input)
        const listed = execFileSync(TAR, ['-tf', input], { encoding: 'utf8' }).trim().split('\n')
        assert.is(index.stats.members, listed.length)
      }
    } finally {
      remove()
    }
  })
}

Gnu('a pipe and standard input are read as streams', async () => {
  if (!gnuTar) return console.log(`  (skipped: no GNU tar at ${TAR})`)
  const { dir, remove } = tempDir()
  try {
    const root = join(dir, 'tree')
    sourceTree(root)
    const archive = join(dir, 'image.tar')
    execFileSync(TAR, ['--format=posix', '-czf', archive, '-C', root, '.'])
    const reference = comparable(await readTree(archive, { interest: ALL_BODIES }))
    const fifo = join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    const writer = createWriteStream(fifo)
    writer.end(readFileSync(archive))
    const fromPipe = await readTree(fifo, { interest: ALL_BODIES })
    assert.is(fromPipe.kind, 'tar.gz')
    assert.equal(comparable(fromPipe), reference)
    const fromStdin = await readTree('-', { interest: ALL_BODIES, stdin: () => chunks(readFileSync(archive), 1000) })
    assert.equal(comparable(fromStdin), reference)
  } finally {
    remove()
  }
})

Gnu.run()
