import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Stage } from '../../src/manifest/types.ts'
import { walk, type Tree } from '../../src/tree/vtree.ts'
import { copy, ln, manifest, mkdir, runStages, text } from './_helpers.ts'

// setfiles semantics: anchored regexes, optional file type, exact paths before regexes,
// otherwise the last matching spec wins; <<none>> and no match leave a file alone.

const labels = (tree: Tree, under = '/'): Record<string, string> =>
  Object.fromEntries(walk(tree, under).filter((e) => e.label !== undefined).map((e) => [e.path, e.label!]))

const ctx = (type: string) => `system_u:object_r:${type}:s0`

/** A tree with a few QM paths and `fc` as an inline file_contexts given to the stage through input `fc`. */
function labelled(fc: string, options: Record<string, unknown> = {}, extra: Stage[] = []): Tree {
  const m = manifest()
  const [a, spec] = [m.file('a\n'), m.file(fc)]
  return runStages(m, [
    mkdir({ path: '/usr/lib/qm/rootfs/etc', parents: true }, { path: '/etc/qm', parents: true }, { path: '/usr/lib/qm/excl' }),
    copy([a], [a, 'tree:///usr/lib/qm/rootfs/etc/f'], [a, 'tree:///usr/lib/qm/exact'], [a, 'tree:///usr/lib/qm/none'], [a, 'tree:///etc/qm/h'], [a, 'tree:///usr/lib/qm/excl/e']),
    ln('f', '/usr/lib/qm/rootfs/etc/l'),
    ...extra,
    {
      type: 'org.osbuild.selinux',
      inputs: { fc: { type: 'org.osbuild.files', origin: 'org.osbuild.source', references: [spec] } },
      options: { file_contexts: `input://fc/${spec}`, target: 'tree:///usr/lib/qm/', ...options } as never,
    },
  ])
}

const Selinux = suite('org.osbuild.selinux')

Selinux('labels the target subtree: the last matching spec wins, file types and exact paths count', () => {
  const tree = labelled(
    [
      '# comment',
      `/usr/lib/qm(/.*)?          ${ctx('a_t')}`,
      `/usr/lib/qm/rootfs(/.*)?   ${ctx('b_t')}`,
      `/usr/lib/qm/rootfs/etc(/.*)?  -- ${ctx('c_t')}`,
      `/usr/lib/qm/rootfs/etc(/.*)?  -l ${ctx('d_t')}`,
      `/usr/lib/qm/exact    ${ctx('exact_t')}`,
      `/usr/lib/qm/ex.*     ${ctx('regex_t')}`,
      `/usr/lib/qm/none     <<none>>`,
      `/etc/qm(/.*)?        ${ctx('never_t')}`,
    ].join('\n'),
    { exclude_paths: ['/excl'] },
  )
  assert.equal(labels(tree), {
    '/usr/lib/qm': ctx('a_t'),
    '/usr/lib/qm/exact': ctx('exact_t'),
    '/usr/lib/qm/rootfs': ctx('b_t'),
    '/usr/lib/qm/rootfs/etc': ctx('b_t'),
    '/usr/lib/qm/rootfs/etc/f': ctx('c_t'),
    '/usr/lib/qm/rootfs/etc/l': ctx('d_t'),
  })
})

Selinux('explicit labels follow symlinks and are set after file_contexts; force_autorelabel writes the stamp', () => {
  const tree = labelled(`/usr/lib/qm(/.*)? ${ctx('qm_file_t')}`, {
    labels: { '/etc/qm/h': ctx('explicit_t'), 'tree:///usr/lib/qm/rootfs/etc/l': ctx('through_t') },
    force_autorelabel: true,
  })
  const got = labels(tree)
  assert.is(got['/etc/qm/h'], ctx('explicit_t'))
  assert.is(got['/usr/lib/qm/rootfs/etc/f'], ctx('through_t'))
  assert.is(got['/usr/lib/qm/rootfs/etc/l'], ctx('qm_file_t'))
  assert.is(text(tree, '/.autorelabel'), '-F')
})

Selinux('reads file_contexts from the tree with its .local specs and .subs substitutions', () => {
  const m = manifest()
  const [a, fc, local, subs] = [
    m.file('a\n'),
    m.file(`/qm(/.*)? ${ctx('qm_t')}\n/run(/.*)? ${ctx('run_t')}\n`),
    m.file(`/qm/a ${ctx('local_t')}\n`),
    m.file('/qm/var /run\n'),
  ]
  const dir = 'tree:///etc/selinux/t/contexts/files'
  const tree = runStages(m, [
    mkdir({ path: '/qm/var', parents: true }, { path: '/etc/selinux/t/contexts/files', parents: true }),
    copy([a, fc, local, subs], [a, 'tree:///qm/a'], [a, 'tree:///qm/var/v'], [fc, `${dir}/file_contexts`], [local, `${dir}/file_contexts.local`], [subs, `${dir}/file_contexts.subs`]),
    { type: 'org.osbuild.selinux', options: { file_contexts: 'etc/selinux/t/contexts/files/file_contexts', target: 'tree:///qm' } },
  ])
  assert.equal(labels(tree), { '/qm': ctx('qm_t'), '/qm/a': ctx('local_t'), '/qm/var': ctx('run_t'), '/qm/var/v': ctx('run_t') })
})

Selinux('rejects duplicate specs as setfiles does, and a missing file_contexts', () => {
  assert.throws(() => labelled(`/usr/lib/qm(/.*)? ${ctx('a_t')}\n/usr/lib/qm(/.*)? -d ${ctx('z_t')}\n`), /Multiple different specifications for \/usr\/lib\/qm\(\/\.\*\)\?/)
  assert.throws(
    () => runStages(manifest(), [{ type: 'org.osbuild.selinux', options: { file_contexts: 'etc/selinux/targeted/contexts/files/file_contexts' } }]),
    /^t stage 0 org\.osbuild\.selinux: setfiles .*no such directory \/etc/,
  )
})

Selinux.run()
