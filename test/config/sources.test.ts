// Issue 9 D: local sources come from the source root only, only regular files are read, and never more than
// the limit. Each case renders with -o over an existing file: refused with a positioned error, nothing written.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { readSource, sourceContext } from '../../src/config/source-root.ts'
import { MAX_LOCAL_FILE } from '../../src/config/local-files.ts'
import { globFiles } from '../../src/config/glob.ts'
import { cli } from '../_helpers/cli.ts'
import { scratchFor } from '../_helpers/scratch.ts'

/** A repository with the config in a subdirectory, and a file outside it (the build host's secret). */
function repo(gitFile = false) {
  const top = tmp()
  const root = join(top, 'repo')
  mkdirSync(join(root, 'images/qm'), { recursive: true })
  if (gitFile) writeFileSync(join(root, '.git'), 'gitdir: /elsewhere/worktrees/x\n')
  else mkdirSync(join(root, '.git'))
  writeFileSync(join(top, 'secret'), 'root:$6$hash:19000::::::\n')
  writeFileSync(join(root, 'shared.conf'), 'shared\n')
  writeFileSync(join(root, 'images/qm/app.conf'), 'app\n')
  const config = join(root, 'images/qm/qm.yaml')
  return { top, root, config, dir: join(root, 'images/qm') }
}

const BEFORE = 'an earlier render\n'

/** Render `yaml` (written to the repo's config) with -o; returns the outcome and checks -o was left alone on failure. */
async function renderIn(r: ReturnType<typeof repo>, yaml: string, extra: string[] = []) {
  writeFileSync(r.config, yaml)
  const out = join(r.top, 'out.yml')
  writeFileSync(out, BEFORE)
  const result = await cli(['render', r.config, '-o', out, ...extra])
  if (result.code !== 0) assert.is(readFileSync(out, 'utf8'), BEFORE, 'the -o file is untouched')
  assert.not.match(result.err, /\n\s+at /, 'no stack trace')
  return { ...result, output: readFileSync(out, 'utf8') }
}

const file = (source: string) => `content:\n  add_files:\n    - { path: /etc/x, source_path: "${source}" }\n`

const Root = suite('source root')
const Kinds = suite('only regular files are read')
const Glob = suite('source_glob')
const Config = suite('the config itself')
const tmp = scratchFor([Root, Kinds, Glob, Config], 'src')

Root('the config\'s repository is the root: files anywhere in it are read, relative to the config', async () => {
  const r = repo()
  const { code, output } = await renderIn(r, file('../../shared.conf'))
  assert.is(code, 0)
  assert.ok(output.includes(Buffer.from('shared\n').toString('base64')))
})

Root('a git worktree (.git is a file) is a repository too', async () => {
  const r = repo(true)
  assert.is((await renderIn(r, file('../../shared.conf'))).code, 0)
  assert.is((await renderIn(r, file('../../../secret'))).code, 1)
})

Root('absolute paths, climbing and symlinks out of the root are refused at the key that names them', async () => {
  const r = repo()
  symlinkSync(join(r.top, 'secret'), join(r.dir, 'link'))
  symlinkSync(r.top, join(r.dir, 'dirlink'))
  symlinkSync('../../../secret', join(r.dir, 'rel-link'))
  const cases = [join(r.top, 'secret'), '../../../secret', 'link', 'dirlink/secret', 'rel-link', '/etc/passwd', '/proc/self/environ', `${r.root}/../secret`, 'dirlink/repo/../secret']
  for (const source of cases) {
    const { code, err } = await renderIn(r, file(source))
    assert.is(code, 1, source)
    assert.match(err, /qm\.yaml:3:36 PATH_NOT_ALLOWED \/content\/add_files\/0\/source_path: .* is outside the source root /, `${source}: ${err}`)
  }
})

Root('every kind of local source is confined: tarball, seccomp profile, policy module and interface, globs', async () => {
  const r = repo()
  const outside = '../../../secret'
  const { err } = await renderIn(
    r,
    `host_files: plugin
rootfs: { tarball: { source_path: "${outside}" } }
container: { seccomp_profile: /usr/share/qm/seccomp.json, seccomp_source: { source_path: "${outside}" } }
selinux: { module: { source_path: "${outside}" }, interface: { source_path: "${outside}" } }
`,
  )
  for (const pointer of ['/rootfs/tarball/source_path', '/container/seccomp_source/source_path', '/selinux/module/source_path', '/selinux/interface/source_path']) {
    assert.match(err, new RegExp(`PATH_NOT_ALLOWED ${pointer}: `), pointer)
  }
})

Root('--source-root widens the root (CLI and library), and a missing one is an error', async () => {
  const r = repo()
  assert.is((await renderIn(r, file('../../../secret'), ['--source-root', r.top])).code, 0)
  const missing = await renderIn(r, file('app.conf'), ['--source-root', join(r.top, 'nope')])
  assert.is(missing.code, 1)
  assert.match(missing.err, /FILE_READ \/: the source root .*nope cannot be used: ENOENT/)
  // a root narrower than the repository confines further
  assert.is((await renderIn(r, file('../../shared.conf'), ['--source-root', r.dir])).code, 1)
})

Root('without a repository the config\'s directory is the root', async () => {
  const top = tmp()
  mkdirSync(join(top, 'cfg'))
  writeFileSync(join(top, 'other'), 'x')
  writeFileSync(join(top, 'cfg/mine'), 'x')
  const ctx = sourceContext(join(top, 'cfg/qm.yaml'))
  assert.ok(!('code' in ctx))
  assert.ok('bytes' in readSource('mine', ctx as never, 10))
  assert.equal((readSource('../other', ctx as never, 10) as { code: string }).code, 'PATH_NOT_ALLOWED')
})


Kinds('a FIFO, a directory, a socket and /dev/zero are refused without reading (no hang, no memory)', async () => {
  const r = repo()
  execFileSync('mkfifo', [join(r.dir, 'fifo')])
  mkdirSync(join(r.dir, 'sub'))
  const server = createServer()
  await new Promise<void>((ok) => server.listen(join(r.dir, 'sock'), ok))
  try {
    const cases: [string, RegExp, string[]][] = [
      ['fifo', /is a FIFO; only regular files/, []],
      ['sub', /is a directory; only regular files/, []],
      ['sock', /is a socket; only regular files/, []],
      ['/dev/zero', /is a character device; only regular files/, ['--source-root', '/']],
      ['/dev/null', /is a character device; only regular files/, ['--source-root', '/']],
    ]
    for (const [source, why, extra] of cases) {
      const { code, err } = await renderIn(r, file(source), extra)
      assert.is(code, 1, source)
      assert.match(err, new RegExp(`qm\\.yaml:3:36 FILE_READ /content/add_files/0/source_path: .*${why.source}`), `${source}: ${err}`)
    }
  } finally {
    server.close()
  }
})

Kinds('a file over the limit is refused by its size before anything is read', async () => {
  const r = repo()
  const big = join(r.dir, 'big.tar')
  writeFileSync(big, '')
  truncateSync(big, MAX_LOCAL_FILE + 1) // sparse: reading it would take a while, stat does not
  const started = Date.now()
  const { code, err } = await renderIn(r, 'rootfs: { tarball: { source_path: big.tar } }\n')
  assert.is(code, 1)
  assert.match(err, /FILE_READ \/rootfs\/tarball\/source_path: .*big\.tar is 67108865 bytes, over the limit for one local file \(67108864 bytes\)/)
  assert.ok(Date.now() - started < 2000)
})

Kinds('a file whose size says less than it holds is stopped at the limit while reading', () => {
  // /proc files stat as 0 bytes; what they hold is only known by reading
  const got = readSource('/proc/self/maps', { base: '/', root: '/proc' }, 64)
  assert.ok('code' in got)
  assert.match((got as { message: string }).message, /grew while being read, to more than 64 bytes/)
})


Glob('a glob cannot climb, be absolute, or reach out through a symlink', async () => {
  const r = repo()
  symlinkSync(join(r.top, 'secret'), join(r.dir, 'secret.conf'))
  symlinkSync(r.top, join(r.dir, 'up'))
  const glob = (g: string) => `content:\n  add_files:\n    - { path: /etc/app, source_glob: "${g}" }\n`
  for (const g of ['../../../*', '/etc/pass*', 'x/../../../../*', '../*/qm/*.conf']) {
    const { code, err } = await renderIn(r, glob(g))
    assert.is(code, 1, g)
    assert.match(err, /qm\.yaml:3:\d+ PATH_NOT_ALLOWED \/content\/add_files\/0\/source_glob: .*(absolute|climb)/, `${g}: ${err}`)
  }
  for (const g of ['*.conf', 'up/sec*']) {
    const { code, err } = await renderIn(r, glob(g))
    assert.is(code, 1, g)
    assert.match(err, /PATH_NOT_ALLOWED \/content\/add_files\/0\/source_glob: .*secret.* is outside the source root/, `${g}: ${err}`)
  }
})

Glob('** does not follow a symlinked directory, so a link loop ends', () => {
  const r = repo()
  mkdirSync(join(r.dir, 'd'))
  writeFileSync(join(r.dir, 'd/a.conf'), 'a')
  symlinkSync('..', join(r.dir, 'd/loop'))
  assert.equal(globFiles(r.dir, '**/*.conf'), ['app.conf', 'd/a.conf'])
})

Glob('the walk stops collecting past max_files', async () => {
  const r = repo()
  for (let i = 0; i < 20; i++) writeFileSync(join(r.dir, `f${i}.conf`), 'x')
  assert.is(globFiles(r.dir, '*.conf', 5).length, 6)
  const { code, err } = await renderIn(r, 'content:\n  add_files:\n    - { path: /etc/app, source_glob: "*.conf", max_files: 5 }\n')
  assert.is(code, 1)
  assert.match(err, /FILE_READ \/content\/add_files\/0\/source_glob: \*\.conf matches more than max_files 5/)
})


Config('a config that is /dev/zero, a directory or a socket is refused; a pipe is read, within the size limit', async () => {
  const zero = await cli(['render', '/dev/zero'])
  assert.is(zero.code, 1)
  assert.match(zero.err, /^\/dev\/zero:1:1 FILE_READ \/: cannot read the config: not a regular file or a pipe/)
  const r = repo()
  const fifo = join(r.dir, 'cfg.fifo')
  execFileSync('mkfifo', [fifo])
  // the writer runs in another process: the read blocks the event loop, as a pipe given on purpose may
  const writer = execFileSync('sh', ['-c', `(printf 'node: carrier\\n' > '${fifo}') >/dev/null 2>&1 & echo started`]).toString()
  assert.is(writer.trim(), 'started')
  const piped = await cli(['render', fifo])
  assert.is(piped.code, 0, piped.err)
  assert.is(piped.out, (await cli(['render', '-'], 'node: carrier\n')).out)
  assert.is.not(piped.out, (await cli(['render'])).out)
  const over = await cli(['render', '-'], Buffer.alloc(2 * 1024 * 1024, 0x20))
  assert.is(over.code, 1)
  assert.match(over.err, /CONFIG_INVALID \/: the file is \d+ bytes; a config may be at most 1048576 bytes/)
})

Root.run()
Kinds.run()
Glob.run()
Config.run()
