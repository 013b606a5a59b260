import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { QmError } from '../../src/errors.ts'
import type { Pipeline, Stage } from '../../src/manifest/types.ts'
import { createDir, createFile, emptyTree, walk } from '../../src/tree/vtree.ts'
import { at, copy, manifest, mkdir, paths, text } from './_helpers.ts'

const rpm: Stage = {
  type: 'org.osbuild.rpm',
  inputs: {
    packages: {
      type: 'org.osbuild.files',
      origin: 'org.osbuild.source',
      references: [],
      'mpp-depsolve': { architecture: 'x86_64', 'module-platform-id': 'platform:el9', packages: ['podman'], repos: [] },
    },
  },
  options: { gpgkeys: [] },
}
const skopeo: Stage = { type: 'org.osbuild.skopeo', inputs: { images: { type: 'org.osbuild.containers', origin: 'org.osbuild.source', references: [], 'mpp-resolve-images': { images: [] } } }, options: { destination: { type: 'containers-storage' } } }
const enable = (unit: string): Stage => ({ type: 'org.osbuild.systemd', options: { enabled_services: [unit] } })

/** A small QM OS tree: /usr/lib/systemd/system/bluechi-agent.service and an os-release. */
function seed() {
  const tree = emptyTree()
  for (const d of ['/usr', '/usr/lib', '/usr/lib/systemd', '/usr/lib/systemd/system', '/etc']) createDir(tree, d, { mode: 0o755, uid: 0, gid: 0 })
  createFile(tree, '/usr/lib/systemd/system/bluechi-agent.service', Buffer.from('[Service]\nExecStart=/usr/bin/bluechi-agent\n[Install]\nWantedBy=multi-user.target\n'), { mode: 0o644, uid: 0, gid: 0, label: 'system_u:object_r:systemd_unit_file_t:s0' })
  createFile(tree, '/etc/os-release', Buffer.from('ID=autosd\n'), { mode: 0o644, uid: 0, gid: 0 })
  return tree
}

const Execute = suite('executeManifest')

Execute('runs pipelines in order, each from an empty tree', () => {
  const m = manifest()
  const a = m.file('a')
  const { trees, notes } = m.run([
    { name: 'one', stages: [mkdir({ path: '/one' }), copy([a], [a, 'tree:///one/a'])] },
    { name: 'two', stages: [mkdir({ path: '/two' })] },
  ])
  assert.equal(paths(trees.get('one')!), ['/', '/one', '/one/a'])
  assert.equal(paths(trees.get('two')!), ['/', '/two'])
  assert.equal(at(trees.get('two')!, '/'), { path: '/', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 })
  assert.equal(notes, [])
})

Execute('without a seed, rpm and skopeo are skipped with notes and the pipeline becomes lenient', () => {
  const m = manifest()
  const a = m.file('a')
  const pipelines: Pipeline[] = [
    { name: 'qm_rootfs', stages: [rpm, mkdir({ path: '/etc/bluechi', parents: true }), copy([a], [a, 'tree:///etc/bluechi/agent.conf']), enable('bluechi-agent.service'), skopeo] },
  ]
  const { trees, notes } = m.run(pipelines)
  assert.equal(paths(trees.get('qm_rootfs')!), ['/', '/etc', '/etc/bluechi', '/etc/bluechi/agent.conf'])
  assert.equal(notes, [
    'qm_rootfs: org.osbuild.rpm not materialised (give --seed)',
    'qm_rootfs: skipped systemctl enable bluechi-agent.service: unit bluechi-agent.service does not exist (the tree is partial)',
    'qm_rootfs: org.osbuild.skopeo not materialised (give --seed)',
  ])
})

Execute('with a seed, the first unmaterialised stage overlays it and later ones are covered', () => {
  const m = manifest()
  const { trees, notes } = m.run([{ name: 'qm_rootfs', stages: [mkdir({ path: '/etc/containers', parents: true }), rpm, enable('bluechi-agent.service'), skopeo] }], { seed: seed() })
  const tree = trees.get('qm_rootfs')!
  assert.is(text(tree, '/etc/os-release'), 'ID=autosd\n')
  assert.is(at(tree, '/etc/containers')!.type, 'dir')
  assert.is(at(tree, '/usr/lib/systemd/system/bluechi-agent.service')!.label, 'system_u:object_r:systemd_unit_file_t:s0')
  assert.is(at(tree, '/etc/systemd/system/multi-user.target.wants/bluechi-agent.service')!.target, '/usr/lib/systemd/system/bluechi-agent.service')
  assert.equal(notes, ['qm_rootfs: org.osbuild.rpm taken from the seed', 'qm_rootfs: org.osbuild.skopeo covered by the seed'])
})

Execute('a copy from a pipeline outside the manifest stands for the seed too, and partiality spreads to readers', () => {
  const m = manifest()
  const fromOs: Stage = {
    type: 'org.osbuild.copy',
    inputs: { os: { type: 'org.osbuild.tree', origin: 'org.osbuild.pipeline', references: ['name:os'] } },
    options: { paths: [{ from: 'input://os/', to: 'tree:///' }] },
  }
  const host: Pipeline = {
    name: 'qm_host',
    stages: [
      mkdir({ path: '/usr/share/selinux/packages', parents: true }),
      {
        type: 'org.osbuild.copy',
        inputs: { pp: { type: 'org.osbuild.files', origin: 'org.osbuild.pipeline', references: { 'name:qm_rootfs': { file: '/usr/share/selinux/packages/qm.pp.bz2' } } } },
        options: { paths: [{ from: 'input://pp/usr/share/selinux/packages/qm.pp.bz2', to: 'tree:///usr/share/selinux/packages/qm.pp.bz2' }] },
      },
    ],
  }
  const bare = m.run([{ name: 'qm_rootfs', stages: [fromOs] }, host])
  assert.equal(bare.notes, [
    'qm_rootfs: org.osbuild.copy from pipeline os not materialised (give --seed)',
    'qm_host: skipped copy input://pp/usr/share/selinux/packages/qm.pp.bz2 -> tree:///usr/share/selinux/packages/qm.pp.bz2: cannot stat: no such file or directory (the tree is partial)',
  ])
  const seeded = m.run([{ name: 'qm_rootfs', stages: [fromOs] }], { seed: seed() })
  assert.equal(seeded.notes, ['qm_rootfs: org.osbuild.copy from pipeline os taken from the seed'])
  assert.equal(walk(seeded.trees.get('qm_rootfs')!), walk(seed()))
})

Execute('a complete pipeline fails where osbuild fails', () => {
  const m = manifest()
  assert.throws(() => m.run([{ name: 'qm_rootfs', stages: [mkdir({ path: '/usr/lib/systemd/system', parents: true }), enable('bluechi-agent.service')] }]), (e: QmError) =>
    e instanceof QmError && e.code === 'TREE_EXEC' && e.message === 'qm_rootfs stage 1 org.osbuild.systemd: systemctl enable bluechi-agent.service: unit bluechi-agent.service does not exist',
  )
})

Execute('refuses unknown stage types, unprocessed mpp directives, mounts and bad inline data', () => {
  const m = manifest()
  const a = m.file('a')
  const bad = (stages: Stage[], pattern: RegExp) =>
    assert.throws(() => m.run([{ name: 't', stages }]), (e: Error & { code?: string }) => e.code === 'TREE_EXEC' && pattern.test(e.message))
  bad([{ type: 'org.osbuild.tmpfilesd', options: {} }], /^t stage 0 org\.osbuild\.tmpfilesd: this stage type is not emulated$/)
  bad([{ type: 'org.osbuild.copy', options: { paths: [{ from: { 'mpp-format-string': 'x' }, to: 'tree:///x' }] } }], /mpp-format-string is an osbuild-mpp directive/)
  bad([{ ...mkdir({ path: '/a' }), mounts: [] } as Stage], /mounts and devices are not emulated/)
  m.sources['org.osbuild.inline']!.items[a] = { encoding: 'base64', data: Buffer.from('b').toString('base64') }
  bad([copy([a], [a, 'tree:///a'])], /checksum mismatch/)
})

Execute('lzma inline items and curl sources are noted, and the items that read them skipped', () => {
  const m = manifest()
  const lz = `sha256:${'0'.repeat(64)}`
  const url = `sha256:${'1'.repeat(64)}`
  m.sources['org.osbuild.inline']!.items[lz] = { encoding: 'lzma+base64', data: '' }
  m.sources['org.osbuild.curl'] = { items: { [url]: 'https://example.com/qm.pp.bz2' } }
  const { trees, notes } = m.run([{ name: 't', stages: [copy([lz, url], [lz, 'tree:///a'], [url, 'tree:///b'])] }])
  assert.equal(paths(trees.get('t')!), ['/'])
  assert.equal(notes.slice(0, 2), [`t: org.osbuild.copy input ${lz}: lzma+base64 inline data not decoded`, `t: org.osbuild.copy input ${url} from org.osbuild.curl not fetched`])
  assert.is(notes.length, 4)
})

Execute.run()
