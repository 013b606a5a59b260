import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { mergeSources, parallel, sequence } from '../../src/manifest/fragment.ts'
import { placeFiles } from '../../src/manifest/files.ts'
import { mkdirStage } from '../../src/manifest/fragment.ts'
import { inlineSource, sha256 } from '../../src/manifest/inline.ts'

const Inline = suite('inlineSource')

Inline('keys the item by the sha256 of the raw bytes and base64-encodes them', () => {
  const { ref, sources } = inlineSource('hello\n')
  assert.is(ref, 'sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03')
  assert.equal(sources['org.osbuild.inline']!.items[ref], { encoding: 'base64', data: 'aGVsbG8K' })
})

Inline.run()

// ---

const Files = suite('placeFiles')

Files('creates only the deepest directories, copies every file and chmods only non-default modes', () => {
  const { stages } = placeFiles([
    { path: '/etc/containers/containers.conf', content: 'a' },
    { path: '/etc/containers/systemd/x.container', content: 'b' },
    { path: '/usr/libexec/tool', content: 'c', mode: '0755' },
  ])
  assert.equal(stages.map((s) => s.type), ['org.osbuild.mkdir', 'org.osbuild.copy', 'org.osbuild.chmod'])
  assert.equal(stages[0]!.options!.paths, [
    { path: '/etc/containers/systemd', parents: true, exist_ok: true },
    { path: '/usr/libexec', parents: true, exist_ok: true },
  ])
  assert.equal(stages[2]!.options!.items, { '/usr/libexec/tool': { mode: '0755' } })
  const copied = (stages[1]!.options!.paths as { to: string }[]).map((p) => p.to)
  assert.equal(copied, ['tree:///etc/containers/containers.conf', 'tree:///etc/containers/systemd/x.container', 'tree:///usr/libexec/tool'])
})

Files('gives no stages for no files', () => {
  assert.equal(placeFiles([]).stages, [])
})

Files.run()

// ---

const Parallel = suite('parallel')

Parallel('folds placements into one stage per type and unions the inline input', () => {
  const a = placeFiles([{ path: '/etc/a', content: 'a' }])
  const b = placeFiles([{ path: '/usr/b', content: 'b', mode: '0600' }])
  const { stages, sources } = parallel(a, b)
  assert.equal(stages.map((s) => s.type), ['org.osbuild.mkdir', 'org.osbuild.copy', 'org.osbuild.chmod'])
  const refs = stages[1]!.inputs!.files!.references
  assert.equal(refs, [`sha256:${sha256('a')}`, `sha256:${sha256('b')}`])
  assert.equal(Object.keys(sources['org.osbuild.inline']!.items).length, 2)
})

Parallel('refuses stages it cannot fold', () => {
  assert.throws(() => parallel({ stages: [{ type: 'org.osbuild.rpm' }], sources: {} }), /cannot fold/)
})

Parallel.run()

// ---

const Sources = suite('mergeSources')

Sources('accepts the same item twice but not two items under one key', () => {
  const one = { 'org.osbuild.curl': { items: { 'sha256:1': 'http://a' } } }
  assert.equal(mergeSources(one, one), one)
  assert.throws(() => mergeSources(one, { 'org.osbuild.curl': { items: { 'sha256:1': 'http://b' } } }), /different content/)
})

Sources('sequence keeps stage order and folds neighbouring directory-ensuring mkdirs', () => {
  const chmod = { type: 'org.osbuild.chmod', options: { items: { '/a': { mode: '0700' } } } }
  const { stages } = sequence(
    { stages: [mkdirStage(['/a'])], sources: {} },
    { stages: [mkdirStage(['/a/b', '/c'])], sources: {} },
    { stages: [chmod, mkdirStage(['/d'])], sources: {} },
  )
  assert.equal(stages.map((s) => s.type), ['org.osbuild.mkdir', 'org.osbuild.chmod', 'org.osbuild.mkdir'])
  assert.equal((stages[0]!.options!.paths as { path: string }[]).map((p) => p.path), ['/a/b', '/c'])
})

Sources('sequence leaves an mkdir with a mode or without exist_ok alone', () => {
  const strict = { type: 'org.osbuild.mkdir', options: { paths: [{ path: '/x', mode: 448 }] } }
  const { stages } = sequence({ stages: [mkdirStage(['/a'])], sources: {} }, { stages: [strict], sources: {} })
  assert.is(stages.length, 2)
})

Sources.run()

// ---

const Mkdir = suite('mkdirStage')

Mkdir('lists only the deepest directories: a name that merely starts like another is no parent of it', () => {
  const paths = (dirs: string[]) => (mkdirStage(dirs).options!.paths as { path: string }[]).map((p) => p.path)
  // /a/b-c sorts between /a/b and /a/b/c, and /a/bc is no child of /a/b
  assert.equal(paths(['/a/b/c', '/a/b', '/a/b-c', '/a', '/a/bc', '/a/b/c']), ['/a/b-c', '/a/b/c', '/a/bc'])
  assert.equal(paths(['/', '/x']), ['/x'])
  // thousands of directories each alone: all of them, in order
  const many = Array.from({ length: 3000 }, (_, i) => `/etc/app/d-${i}`)
  assert.equal(paths([...many, '/etc/app', '/etc']), [...many].sort())
})

Mkdir.run()
