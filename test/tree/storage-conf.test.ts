import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Stage } from '../../src/manifest/types.ts'
import { dumpToml, pythonFloat } from '../../src/tree/toml.ts'
import { at, chmod, copy, ln, manifest, mkdir, runStages, text } from './_helpers.ts'

// Expected files are byte for byte what the real stage wrote (python tomli_w 1.0.0).

const HEADER = [
  '# This file is the configuration file for all tools that',
  '# use the containers/storage library.',
  "# See 'man 5 containers-storage.conf' for more information.",
  '# This file was created by osbuild.',
  '# ',
  '',
].join('\n')

const storageConf = (options: Stage['options']): Stage => ({ type: 'org.osbuild.containers.storage.conf', options })

const StorageConf = suite('org.osbuild.containers.storage.conf')

StorageConf('writes a new file with the header and nested tables', () => {
  const tree = runStages(manifest(), [
    mkdir({ path: '/etc/containers', parents: true }),
    storageConf({
      config: {
        storage: {
          driver: 'overlay',
          transient_store: true,
          options: { additionalimagestores: ['/usr/lib/containers/storage', '/x y'], pull_options: { enable_partial_images: 'false' }, overlay: { mountopt: 'nodev,metacopy=on' } },
        },
      },
    }),
  ])
  assert.is(
    text(tree, '/etc/containers/storage.conf'),
    HEADER +
      '\n\n[storage]\ndriver = "overlay"\ntransient_store = true\n\n[storage.options]\nadditionalimagestores = [\n    "/usr/lib/containers/storage",\n    "/x y",\n]\n\n' +
      '[storage.options.pull_options]\nenable_partial_images = "false"\n\n[storage.options.overlay]\nmountopt = "nodev,metacopy=on"\n',
  )
  assert.is(at(tree, '/etc/containers/storage.conf')!.mode, 0o644)
})

StorageConf('merges into an existing file: keeps its other [storage] keys and mode, drops other tables', () => {
  const m = manifest()
  const existing = m.file(
    '# existing\n[storage]\ndriver = "vfs"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n\n[storage.options]\nadditionalimagestores = [ "/a" ]\nmount_program = "/usr/bin/fuse-overlayfs"\n\n[storage.options.overlay]\nmountopt = "nodev"\nforce_mask = "shared"\n\n[other]\nkey = 1\n',
  )
  const tree = runStages(m, [
    mkdir({ path: '/etc/containers', parents: true }),
    copy([existing], [existing, 'tree:///etc/containers/storage.conf']),
    chmod({ '/etc/containers/storage.conf': { mode: '0600' } }),
    storageConf({
      comment: ['first', 'second line'],
      config: { storage: { transient_store: true, driver: 'overlay', options: { additionalimagestores: ['/usr/lib/containers/storage'], overlay: { mountopt: 'nodev,metacopy=on' } } } },
    }),
  ])
  assert.is(
    text(tree, '/etc/containers/storage.conf'),
    HEADER +
      '\n# first\n# second line\n\n[storage]\ndriver = "overlay"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\ntransient_store = true\n\n' +
      '[storage.options]\nadditionalimagestores = [\n    "/usr/lib/containers/storage",\n]\nmount_program = "/usr/bin/fuse-overlayfs"\n\n' +
      '[storage.options.overlay]\nmountopt = "nodev,metacopy=on"\nforce_mask = "shared"\n',
  )
  assert.is(at(tree, '/etc/containers/storage.conf')!.mode, 0o600)
})

StorageConf('writes through a symlink and keeps integers, booleans and arrays of the old file', () => {
  const m = manifest()
  const existing = m.file('[storage]\ndriver = "overlay"\n[storage.options]\nsize = 10\nignore_chown_errors = true\n')
  const tree = runStages(m, [
    mkdir({ path: '/etc/containers', parents: true }, { path: '/usr/share/containers', parents: true }),
    copy([existing], [existing, 'tree:///usr/share/containers/real.conf']),
    ln('../../usr/share/containers/real.conf', '/etc/containers/storage.conf'),
    storageConf({ config: { storage: { options: { overlay: { mountopt: 'nodev' } } } } }),
  ])
  assert.is(at(tree, '/etc/containers/storage.conf')!.type, 'symlink')
  assert.is(
    text(tree, '/usr/share/containers/real.conf'),
    HEADER + '\n\n[storage]\ndriver = "overlay"\n\n[storage.options]\nsize = 10\nignore_chown_errors = true\n\n[storage.options.overlay]\nmountopt = "nodev"\n',
  )
})

StorageConf('a table holding only tables gets no header of its own', () => {
  const tree = runStages(manifest(), [
    mkdir({ path: '/usr/share/containers', parents: true }),
    storageConf({ filename: '/usr/share/containers/storage.conf', config: { storage: { options: { overlay: { mountopt: 'nodev' } } } } }),
  ])
  assert.is(text(tree, '/usr/share/containers/storage.conf'), HEADER + '\n\n[storage.options.overlay]\nmountopt = "nodev"\n')
})

StorageConf('needs the directory to exist', () => {
  assert.throws(() => runStages(manifest(), [storageConf({ config: { storage: { driver: 'overlay' } } })]), /write \/etc\/containers\/storage\.conf: no such directory \/etc/)
})

StorageConf.run()

// ---

const Toml = suite('dumpToml')

Toml('quotes keys that are not bare and escapes strings like tomli_w', () => {
  assert.is(dumpToml({ 'a b': 'x"y\\z\n\u0001\tü', ok_key: '' }), '"a b" = "x\\"y\\\\z\\n\\u0001\tü"\nok_key = ""\n')
})

Toml('writes arrays one item per line, empty ones inline, short tables in arrays inline', () => {
  assert.is(dumpToml({ e: [], n: [1n, [2n]], t: [{ a: 1n }] }), 'e = []\nn = [\n    1,\n    [\n        2,\n    ],\n]\nt = [\n    { a = 1 },\n]\n')
})

Toml('writes arrays of long tables as [[tables]] and empty tables with a header', () => {
  const long = 'x'.repeat(100)
  assert.is(dumpToml({ aot: [{ s: long }, { s: 'y' }], empty: {} }), `[[aot]]\ns = "${long}"\n\n[[aot]]\ns = "y"\n\n[empty]\n`)
})

Toml('prints floats as Python does', () => {
  assert.equal([1, 0.1, 1e16, 1e15, 1e-5, 0.0001, -0, 2.5e300].map(pythonFloat), ['1.0', '0.1', '1e+16', '1000000000000000.0', '1e-05', '0.0001', '-0.0', '2.5e+300'])
})

Toml.run()
