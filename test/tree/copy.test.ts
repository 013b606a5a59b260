import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { QmError } from '../../src/errors.ts'
import { at, copy, ln, manifest, mkdir, octal, paths, runStages, text } from './_helpers.ts'

// Expected trees follow `cp -a --reflink=auto [--remove-destination] SRC DST`, as
// org.osbuild.copy runs it; each case was checked against a real osbuild build.

const Copy = suite('org.osbuild.copy')

Copy('places an inline source file as a 0644 root-owned file', () => {
  const m = manifest()
  const a = m.file('aaa\n')
  const tree = runStages(m, [mkdir({ path: '/etc' }), copy([a], [a, 'tree:///etc/a.conf'])])
  assert.equal(at(tree, '/etc/a.conf'), { path: '/etc/a.conf', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 4 })
  assert.is(text(tree, '/etc/a.conf'), 'aaa\n')
})

Copy('copies into an existing directory under the source name', () => {
  const m = manifest()
  const a = m.file('aaa\n')
  const tree = runStages(m, [mkdir({ path: '/b' }), copy([a], [a, 'tree:///b'])])
  assert.equal(paths(tree, '/b'), ['/b', `/b/${a}`])
})

Copy('a trailing slash on from copies the contents and gives the target the source directory mode', () => {
  const m = manifest()
  const a = m.file('aaa\n')
  const tree = runStages(m, [
    mkdir({ path: '/src/sub', parents: true }, { path: '/dst', mode: 0o700 }),
    copy([a], [a, 'tree:///src/sub/g'], [a, 'tree:///src/h']),
    copy([], ['tree:///src/', 'tree:///dst'], ['tree:///src/', 'tree:///fresh']),
  ])
  assert.equal(paths(tree, '/dst'), ['/dst', '/dst/h', '/dst/sub', '/dst/sub/g'])
  assert.equal(paths(tree, '/fresh'), ['/fresh', '/fresh/h', '/fresh/sub', '/fresh/sub/g'])
  // cp -a applies the source directory's attributes to the existing destination
  assert.is(octal(tree, '/dst'), '755')
})

Copy('without a trailing slash an existing directory receives the source directory itself', () => {
  const m = manifest()
  const a = m.file('aaa\n')
  const tree = runStages(m, [
    mkdir({ path: '/src' }, { path: '/dst' }),
    copy([a], [a, 'tree:///src/h']),
    copy([], ['tree:///src', 'tree:///dst'], ['tree:///src', 'tree:///new']),
  ])
  assert.equal(paths(tree, '/dst'), ['/dst', '/dst/src', '/dst/src/h'])
  assert.equal(paths(tree, '/new'), ['/new', '/new/h'])
})

Copy('remove_destination replaces a symlink; without it cp writes through the link', () => {
  const m = manifest()
  const [a, b] = [m.file('aaa\n'), m.file('bbb\n')]
  const tree = runStages(m, [
    mkdir({ path: '/a' }),
    copy([a], [a, 'tree:///a/f1'], [a, 'tree:///a/f2']),
    ln('f1', '/a/link'),
    ln('f2', '/a/link2'),
    copy([b], [b, 'tree:///a/link', true], [b, 'tree:///a/link2']),
  ])
  assert.is(at(tree, '/a/link')!.type, 'file')
  assert.is(text(tree, '/a/link'), 'bbb\n')
  assert.is(text(tree, '/a/f1'), 'aaa\n')
  assert.is(at(tree, '/a/link2')!.target, 'f2')
  assert.is(text(tree, '/a/f2'), 'bbb\n')
})

Copy('replaces an absolute symlink with remove_destination, and will not write through one', () => {
  const m = manifest()
  const a = m.file('aaa\n')
  const tree = runStages(m, [ln('/etc/elsewhere', '/abs'), copy([a], [a, 'tree:///abs', true])])
  assert.is(at(tree, '/abs')!.type, 'file')
  // Inside osbuild the kernel would follow it into the build root, which cannot be emulated.
  assert.throws(() => runStages(m, [ln('/etc/elsewhere', '/abs'), copy([a], [a, 'tree:///abs'])]), /absolute symlink \(\/etc\/elsewhere\); osbuild would follow it into the build root/)
})

Copy('keeps symlinks as symlinks and hard links as hard links', () => {
  const m = manifest()
  const a = m.file('aaa\n')
  const tree = runStages(m, [
    mkdir({ path: '/src' }),
    copy([a], [a, 'tree:///src/f']),
    ln('f', '/src/l'),
    ln('/run/osbuild/tree/src/f', '/src/hard', false),
    copy([], ['tree:///src', 'tree:///copied']),
  ])
  assert.is(at(tree, '/copied/l')!.target, 'f')
  assert.equal([at(tree, '/copied/hard')!.type, at(tree, '/copied/hard')!.target], ['hardlink', '/copied/f'])
})

Copy('an overwritten file keeps its label; a removed destination loses it', () => {
  const m = manifest()
  const [a, b] = [m.file('aaa\n'), m.file('bbb\n')]
  const tree = runStages(m, [
    copy([a], [a, 'tree:///one'], [a, 'tree:///two']),
    { type: 'org.osbuild.selinux', options: { labels: { '/one': 'system_u:object_r:one_t:s0', '/two': 'system_u:object_r:two_t:s0' } } },
    copy([b], [b, 'tree:///one'], [b, 'tree:///two', true]),
  ])
  assert.is(at(tree, '/one')!.label, 'system_u:object_r:one_t:s0')
  assert.is(at(tree, '/two')!.label, undefined)
})

Copy('copies a pipeline tree with its labels, and a single file of it through a files input', () => {
  const m = manifest()
  const a = m.file('aaa\n')
  const { trees } = m.run([
    {
      name: 'qm',
      stages: [
        mkdir({ path: '/etc/qm', parents: true }),
        copy([a], [a, 'tree:///etc/qm/f']),
        { type: 'org.osbuild.selinux', options: { labels: { '/etc/qm/f': 'system_u:object_r:qm_t:s0' } } },
      ],
    },
    {
      name: 'host',
      stages: [
        mkdir({ path: '/usr/lib/qm/rootfs', parents: true, mode: 0o700 }, { path: '/single' }),
        {
          type: 'org.osbuild.copy',
          inputs: {
            tree: { type: 'org.osbuild.tree', origin: 'org.osbuild.pipeline', references: ['name:qm'] },
            one: { type: 'org.osbuild.files', origin: 'org.osbuild.pipeline', references: { 'name:qm': { file: '/etc/qm/f' } } },
          },
          options: {
            paths: [
              { from: 'input://tree/', to: 'tree:///usr/lib/qm/rootfs/' },
              { from: 'input://one/etc/qm/f', to: 'tree:///single/f' },
            ],
          },
        },
      ],
    },
  ])
  const host = trees.get('host')!
  assert.is(octal(host, '/usr/lib/qm/rootfs'), '755')
  assert.is(at(host, '/usr/lib/qm/rootfs/etc/qm/f')!.label, 'system_u:object_r:qm_t:s0')
  assert.is(at(host, '/single/f')!.label, 'system_u:object_r:qm_t:s0')
})

Copy('fails like cp on a missing parent, a dangling symlink, a missing dir/ target and copying into itself', () => {
  const m = manifest()
  const a = m.file('aaa\n')
  const cases: [string, object[]][] = [
    ['no such directory /nodir', [copy([a], [a, 'tree:///nodir/x'])]],
    ['not writing through dangling symlink', [ln('nowhere', '/l'), copy([a], [a, 'tree:///l'])]],
    ['no such directory', [copy([a], [a, 'tree:///missing/'])]],
    ['into itself', [mkdir({ path: '/d/e', parents: true }), copy([], ['tree:///d/', 'tree:///d/e'])]],
    ['cannot overwrite non-directory with directory', [mkdir({ path: '/d' }), copy([a], [a, 'tree:///f']), copy([], ['tree:///d', 'tree:///f'])]],
  ]
  for (const [message, stages] of cases) {
    try {
      runStages(m, stages as never)
      assert.unreachable(`expected failure: ${message}`)
    } catch (e) {
      assert.instance(e, QmError)
      assert.is((e as QmError).code, 'TREE_EXEC')
      assert.match((e as Error).message, /^t stage \d+ org\.osbuild\.copy: copy /)
      assert.match((e as Error).message, message)
    }
  }
})

Copy.run()
