// Issue 9 E: nothing is lost. Every write error (a full disk, a short write, a failing sync, close or
// rename) leaves the old file and no temporary file, and exits 1 naming the cause; a signal during a
// write removes the temporary file and exits as the signal would.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileAtomic, type WriteFs } from '../../src/atomic.ts'
import { QmError } from '../../src/errors.ts'
import { cli } from '../_helpers/cli.ts'
import { scratchFor } from '../_helpers/scratch.ts'

const Atomic = suite('writeFileAtomic')
const Cli = suite('render -o and tree --out on write errors')
const Signals = suite('signals during a write')
const tmp = scratchFor([Atomic, Cli, Signals], 'out')

const OLD = 'the old output, which must survive\n'
const NEW = 'x'.repeat(3 * 1024 * 1024 + 17)

function dirWithOld() {
  const dir = tmp()
  const target = join(dir, 'out.yml')
  writeFileSync(target, OLD)
  return { dir, target }
}

/** node:fs with one call replaced. */
const faulty = (patch: Partial<WriteFs>): WriteFs => ({
  openSync: fs.openSync,
  writeSync: (fd, b, o, l) => fs.writeSync(fd, b, o, l),
  fsyncSync: fs.fsyncSync,
  closeSync: fs.closeSync,
  renameSync: fs.renameSync,
  rmSync: fs.rmSync,
  ...patch,
})

const errno = (code: string) => () => {
  throw Object.assign(new Error(code), { code })
}


Atomic('short writes are continued until every byte is written', async () => {
  const { target } = dirWithOld()
  let calls = 0
  await writeFileAtomic(target, NEW, { fs: faulty({ writeSync: (fd, b, o, l) => (calls++, fs.writeSync(fd, b, o, Math.min(l, 4093))) }) })
  assert.is(readFileSync(target, 'utf8'), NEW)
  assert.ok(calls > 700)
})

Atomic('every failing step keeps the old file, leaves no temporary file and names the cause', async () => {
  let full = 0
  const cases: [string, Partial<WriteFs>, RegExp][] = [
    ['a write that stops taking bytes', { writeSync: (fd, b, o, l) => (full++ < 2 ? fs.writeSync(fd, b, o, Math.min(l, 1000)) : 0) }, /no space left on the device \(ENOSPC\)/],
    ['ENOSPC on the second write', { writeSync: (fd, b, o, l) => (full++ % 2 ? errno('ENOSPC')() : fs.writeSync(fd, b, o, l)) }, /no space left on the device \(ENOSPC\)/],
    ['EDQUOT', { writeSync: errno('EDQUOT') }, /quota is exceeded \(EDQUOT\)/],
    ['EIO on fsync', { fsyncSync: errno('EIO') }, /an I\/O error \(EIO\)/],
    ['EIO on close (NFS reports write errors there)', { closeSync: (fd) => (fs.closeSync(fd), errno('EIO')()) }, /\(EIO\)/],
    ['EXDEV on rename', { renameSync: errno('EXDEV') }, /EXDEV/],
    ['EACCES on open', { openSync: errno('EACCES') }, /permission denied \(EACCES\)/],
    ['EROFS on open', { openSync: errno('EROFS') }, /read-only \(EROFS\)/],
  ]
  for (const [what, patch, reason] of cases) {
    full = 0
    const { dir, target } = dirWithOld()
    try {
      await writeFileAtomic(target, NEW, { fs: faulty(patch) })
      assert.unreachable(what)
    } catch (e) {
      if (e instanceof assert.Assertion) throw e
      assert.instance(e, QmError, what)
      assert.is((e as QmError).code, 'OUTPUT_WRITE', what)
      assert.match((e as QmError).message, reason, what)
      assert.match((e as QmError).message, /the old file is kept$/, what)
    }
    assert.is(readFileSync(target, 'utf8'), OLD, what)
    assert.equal(readdirSync(dir), ['out.yml'], `${what}: no temporary file`)
  }
})

Atomic('a symlink is followed: the file it names is replaced, the link stays', async () => {
  const { dir, target } = dirWithOld()
  fs.symlinkSync('out.yml', join(dir, 'link.yml'))
  await writeFileAtomic(join(dir, 'link.yml'), 'new\n')
  assert.ok(fs.lstatSync(join(dir, 'link.yml')).isSymbolicLink())
  assert.is(readFileSync(target, 'utf8'), 'new\n')
})


Cli('-o /dev/full: written in place (never renamed over the device), ENOSPC, exit 1', async () => {
  const before = fs.statSync('/dev/full')
  const { code, err } = await cli(['render', '-o', '/dev/full'])
  assert.is(code, 1)
  assert.match(err, /^OUTPUT_WRITE \/: cannot write \/dev\/full: no space left on the device \(ENOSPC\); it is not a regular file/)
  const after = fs.statSync('/dev/full')
  assert.ok(after.isCharacterDevice() && after.rdev === before.rdev, 'the device node is still there')
  assert.ok(!readdirSync('/dev').some((n) => n.startsWith('.full.')), 'no temporary file in /dev')
})

Cli('-o /dev/null works (written in place)', async () => {
  assert.is((await cli(['render', '-o', '/dev/null'])).code, 0)
  assert.ok(fs.statSync('/dev/null').isCharacterDevice())
})

Cli('-o a directory: refused, nothing written', async () => {
  const { dir } = dirWithOld()
  const { code, err } = await cli(['render', '-o', dir])
  assert.is(code, 1)
  assert.match(err, /OUTPUT_WRITE \/: cannot write .*: it is a directory \(EISDIR\)/)
  assert.equal(readdirSync(dir), ['out.yml'])
})

/** A command in a private mount namespace with a 16 KiB tmpfs at `dir`, if this machine allows one. */
function onSmallTmpfs(dir: string, script: string) {
  const probe = spawnSync('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs -o size=16k tmpfs '${dir}'`], { encoding: 'utf8' })
  if (probe.status !== 0) return undefined
  return spawnSync('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs -o size=16k tmpfs '${dir}' && ${script}`], { encoding: 'utf8' })
}

Cli('a real full file system (a 16 KiB tmpfs): the old file stays, no temporary file, exit 1', () => {
  const dir = tmp()
  const cmd = `node --import tsx src/bin.ts`
  const result = onSmallTmpfs(
    dir,
    `printf 'old\\n' > '${dir}/out.yml' && ${cmd} render examples/07-local-tarball.qm.yaml -o '${dir}/out.yml'; echo "rc=$?"; cat '${dir}/out.yml'; ls -A '${dir}'; ${cmd} tree examples/07-local-tarball.qm.yaml --out '${dir}/t.tar' --seed examples/rootfs/tiny-rootfs.tar; echo "rc=$?"; ls -A '${dir}'`,
  )
  if (!result) return console.log('\n  (skipped: no user and mount namespaces here for a small tmpfs)')
  assert.match(result.stderr, /OUTPUT_WRITE \/: cannot write .*out\.yml: no space left on the device \(ENOSPC\); the old file is kept/)
  assert.match(result.stderr, /OUTPUT_WRITE \/: cannot write .*t\.tar: no space left on the device \(ENOSPC\); nothing was written/)
  assert.is(result.stdout, 'rc=1\nold\nout.yml\nrc=1\nout.yml\n')
})


/** Start a write that pauses after its first chunk, signal it once its temporary file exists, and report. */
async function interrupted(args: string[], signal: NodeJS.Signals) {
  const { dir, target } = dirWithOld()
  const out = args.map((a) => (a === 'OUT' ? target : a === 'TAR' ? join(dir, 'out.tar') : a))
  const child = spawn('node', ['--import', 'tsx', 'src/bin.ts', ...out], { env: { ...process.env, QM_STAGE_TEST_WRITE_PAUSE_MS: '30000' }, stdio: 'pipe' })
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)))
  const started = Date.now()
  while (!readdirSync(dir).some((n) => n.endsWith('.tmp'))) {
    if (Date.now() - started > 20_000) throw new Error('the write never started')
    await new Promise((ok) => setTimeout(ok, 20))
  }
  child.kill(signal)
  const code = await exited
  return { code, dir, files: readdirSync(dir).sort(), old: readFileSync(target, 'utf8') }
}

Signals('SIGTERM mid-write of render -o: temporary file removed, old file kept, exit 143', async () => {
  const r = await interrupted(['render', 'examples/07-local-tarball.qm.yaml', '-o', 'OUT'], 'SIGTERM')
  assert.is(r.code, 143)
  assert.equal(r.files, ['out.yml'])
  assert.is(r.old, OLD)
})

Signals('SIGINT mid-write of tree --out FILE.tar: temporary file removed, exit 130', async () => {
  const r = await interrupted(['tree', 'examples/07-local-tarball.qm.yaml', '--seed', 'examples/rootfs/tiny-rootfs.tar', '--out', 'TAR'], 'SIGINT')
  assert.is(r.code, 130)
  assert.equal(r.files, ['out.yml'])
})

Atomic.run()
Cli.run()
Signals.run()
