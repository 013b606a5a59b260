import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { applyMode, parseMode } from '../../src/tree/modes.ts'
import { at, chmod, copy, ln, manifest, mkdir, octal, runStages, text } from './_helpers.ts'

const fails = (stages: Parameters<typeof runStages>[1], pattern: RegExp) => {
  assert.throws(() => runStages(manifest(), stages), (e: Error & { code?: string }) => e.code === 'TREE_EXEC' && pattern.test(e.message))
}

const Mkdir = suite('org.osbuild.mkdir')

Mkdir('applies umask 022 to the mode, keeps the sticky bit, never sets setgid', () => {
  const tree = runStages(manifest(), [mkdir({ path: '/a' }, { path: '/b', mode: 0o775 }, { path: '/m', mode: 0o1777 }, { path: '/n', mode: 0o2770 })])
  assert.equal(['/a', '/b', '/m', '/n'].map((p) => octal(tree, p)), ['755', '755', '1755', '750'])
})

Mkdir('parents gives 0755 intermediates and the mode only to the leaf', () => {
  const tree = runStages(manifest(), [mkdir({ path: '/c/d/e', parents: true, mode: 0o700 })])
  assert.equal(['/c', '/c/d', '/c/d/e'].map((p) => octal(tree, p)), ['755', '755', '700'])
})

Mkdir('a relative path means the tree, and exist_ok accepts a symlink to a directory', () => {
  const tree = runStages(manifest(), [mkdir({ path: 'rel/dir', parents: true }, { path: '/real' }), ln('real', '/rl'), mkdir({ path: '/rl', parents: true, exist_ok: true }, { path: '/rl/inner' })])
  assert.is(at(tree, '/rel/dir')!.type, 'dir')
  assert.is(at(tree, '/real/inner')!.type, 'dir')
})

Mkdir('without parents, exist_ok forgives even a file in the way; with parents only a directory', () => {
  const m = manifest()
  const a = m.file('a')
  runStages(m, [copy([a], [a, 'tree:///f']), mkdir({ path: '/f', exist_ok: true })])
  assert.throws(() => runStages(m, [copy([a], [a, 'tree:///f']), mkdir({ path: '/f', exist_ok: true, parents: true })]), /t stage 1 org\.osbuild\.mkdir: mkdir \/f: file exists/)
})

Mkdir('fails on an existing path without exist_ok and on a missing parent without parents', () => {
  fails([mkdir({ path: '/a' }), mkdir({ path: '/a' })], /^t stage 1 org\.osbuild\.mkdir: mkdir \/a: file exists$/)
  fails([mkdir({ path: '/x/y' })], /mkdir \/x\/y: no such directory \/x/)
})

Mkdir.run()

// ---

const Chmod = suite('org.osbuild.chmod')

Chmod('takes octal and symbolic modes, recursive ones skip symlinks', () => {
  const m = manifest()
  const a = m.file('a')
  const tree = runStages(m, [
    mkdir({ path: '/d/sub', parents: true }, { path: '/c' }),
    copy([a], [a, 'tree:///f1'], [a, 'tree:///f2'], [a, 'tree:///d/sub/g']),
    ln('../f1', '/d/l'),
    chmod({ '/f1': { mode: 'u+x' }, '/f2': { mode: 'g+w,o-r' }, '/c': { mode: 'a=r' }, '/d': { mode: 'go-rx', recursive: true } }),
  ])
  assert.equal(['/f1', '/f2', '/c', '/d', '/d/sub', '/d/sub/g'].map((p) => octal(tree, p)), ['744', '660', '444', '700', '700', '600'])
})

Chmod('a path that does not exist fails the stage', () => {
  fails([chmod({ '/nothere': { mode: '0644' } })], /^t stage 0 org\.osbuild\.chmod: chmod 0644 \/nothere: path not in tree$/)
  fails([mkdir({ path: '/d' }), chmod({ '/d': { mode: 'u+q' } })], /invalid mode 'u\+q'/)
})

Chmod.run()

// ---

const Modes = suite('chmod modes')

const mode = (spec: string, old: number, dir = false) => applyMode(old, parseMode(spec)!, dir)

Modes('a clause without who is limited by the umask', () => {
  assert.is(mode('+w', 0o444), 0o644)
  assert.is(mode('+x', 0o644), 0o755)
  assert.is(mode('=r', 0o777), 0o444)
})

Modes('X adds execute only to directories and already executable files', () => {
  assert.is(mode('a+X', 0o600), 0o600)
  assert.is(mode('a+X', 0o700), 0o711)
  assert.is(mode('a+X', 0o700, true), 0o711)
})

Modes('copies permissions between classes and handles special bits', () => {
  assert.is(mode('g=u,o=', 0o754), 0o770)
  assert.is(mode('g+s', 0o750, true), 0o2750)
  assert.is(mode('+t', 0o744), 0o1744)
  assert.is(mode('u-s', 0o4755), 0o755)
})

Modes('four octal digits keep a directory setgid, five clear it', () => {
  assert.is(mode('0755', 0o2750, true), 0o2755)
  assert.is(mode('00755', 0o2750, true), 0o755)
  assert.is(mode('0755', 0o2750, false), 0o755)
})

Modes('rejects what chmod rejects', () => {
  for (const bad of ['', 'a', 'u+q', 'ux', '77777', 'u=755', '0o755']) assert.is(parseMode(bad), undefined, bad)
})

Modes.run()

// ---

const Ln = suite('org.osbuild.ln')

Ln('writes a symlink target verbatim and hard-links through the sandbox tree path', () => {
  const m = manifest()
  const a = m.file('a')
  const tree = runStages(m, [copy([a], [a, 'tree:///f']), ln('/f', '/abs'), ln('f', '/rel'), ln('/run/osbuild/tree/f', '/hard', false)])
  assert.equal(at(tree, '/abs'), { path: '/abs', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 2, target: '/f' })
  assert.is(at(tree, '/rel')!.target, 'f')
  assert.equal([at(tree, '/hard')!.type, at(tree, '/hard')!.target], ['hardlink', '/f'])
  assert.is(text(tree, '/hard'), 'a')
})

Ln('fails on an existing link name and on a hard link target outside the sandbox tree', () => {
  fails([mkdir({ path: '/a' }), ln('x', '/a')], /ln -s x tree:\/\/\/a: file exists/)
  fails([mkdir({ path: '/a' }), ln('/a', '/b', false)], /resolved in the build sandbox/)
})

Ln.run()
