// A config may be an automotive-image-builder manifest or its qm: block, as users have them.
// The manifests here are written for these tests in the shapes such manifests take.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parse } from 'yaml'
import { render } from '../../src/render/render.ts'
import { formatError } from '../../src/errors.ts'
import type { Pipeline } from '../../src/manifest/types.ts'
import { aibQmKeys, aibSchemaSuite } from '../_helpers/aib-schema.ts'
import { load, yaml } from '../_helpers/config.ts'

const Paste = suite('paste from automotive-image-builder')

const WHOLE = yaml`
  name: infotainment
  version: "1.4"
  content:
    rpms: [vsomeip3-routingmanager]
    enable_repos: [devel]
  image:
    selinux_mode: enforcing
    partitions:
      var_qm:
        size: 2 GiB
  qm:
    memory_limit:
      max: 6G
      high: 5G
    cpu_weight: 80
    container_checksum: ${'0f'.repeat(32)}
    content:
      enable_repos:
        - debug
      rpms:
        - gdb
      container_images:
        - source: quay.io/example/hmi
          tag: "3"
          index: true
      remove_files:
        - path: /usr/share/doc/hmi
      sbom:
        doc_path: /usr/share/qm/sbom.json
`

Paste('a whole manifest: its qm: section is the config, and a note names what was ignored', () => {
  const loaded = load(WHOLE, 'infotainment.aib.yml')
  assert.equal(loaded.errors.map(formatError), [])
  assert.equal(loaded.config!.memory_limit, { max: '6G', high: '5G' })
  assert.is(loaded.config!.cpu_weight, 80)
  assert.equal(loaded.config!.content.enable_repos, ['debug'])
  assert.is(loaded.config!.content.container_images[0]!.index, true)
  assert.equal(loaded.notes, ['infotainment.aib.yml: read its qm: section; ignored the rest of the manifest (name, version, content, image), which is automotive-image-builder\'s to build'])
})

Paste('the qm: block pasted with its key, and an empty qm:, are configs', () => {
  const block = yaml`
    qm:
      memory_limit: { max: 2G }
      content:
        rpms: [htop]
  `
  assert.equal(load(block).config!.memory_limit.max, '2G')
  assert.equal(load(block).notes, [])
  assert.equal(load('qm:\n').errors, [])
  assert.equal(load('qm: {}\n').config!.cpu_weight, 'idle')
})

Paste('errors point into the qm: block of the original file, with the file\'s own pointer', () => {
  const first = (text: string) => load(text, 'infotainment.aib.yml').errors.map((l) => formatError(l).split(': ')[0])
  assert.equal(first(WHOLE.replace('max: 6G', 'max: 6 GB')), ['infotainment.aib.yml:13:10 CONFIG_INVALID /qm/memory_limit/max'])
  const outside = WHOLE.replace('- gdb', '- gdb\n    add_files:\n      - path: /usr/local/bin/x\n        text: x')
  assert.equal(first(outside), ['infotainment.aib.yml:23:15 PATH_NOT_ALLOWED /qm/content/add_files/0/path'])
  assert.equal(load('name: x\nqm:\n  colour: red\n', 'x.aib.yml').errors.map(formatError), ['x.aib.yml:3:3 CONFIG_INVALID /qm/colour: unknown key colour'])
  assert.equal(load('qm: [1]\n', 'x.aib.yml').errors.map((e) => `${e.where!.line}:${e.where!.col} ${e.pointer}`), ['1:5 /qm'])
})

Paste.run()

const Keys = aibSchemaSuite("paste: AIB's qm: keys")

Keys("every key of AIB's qm: schema is a key of the config", () => {
  const keys = aibQmKeys()
  const values: Record<string, string> = {
    content: '{}', memory_limit: '{ max: 1G }', cpu_weight: 'idle', container_checksum: 'ab'.repeat(32),
    rpms: '[a]', enable_repos: '[debug]', repos: '[{ id: r, baseurl: "https://x/" }]', container_images: '[{ source: quay.io/a/b }]',
    add_files: '[{ path: /etc/a, text: a }]', chmod_files: '[{ path: /etc/a, mode: "0600" }]', chown_files: '[{ path: /etc/a, user: 1 }]',
    remove_files: '[{ path: /etc/b }]', make_dirs: '[{ path: /etc/d }]', add_symlinks: '[{ link: /etc/l, target: a }]',
    systemd: '{ enabled_services: [a.service] }', sbom: '{ doc_path: /usr/share/s.json }',
  }
  for (const key of keys.qm) assert.equal(load(`qm:\n  ${key}: ${values[key]}\n`).errors.map(formatError), [], `qm.${key}`)
  for (const key of keys.content) assert.equal(load(`qm:\n  content:\n    ${key}: ${values[key]}\n`).errors.map(formatError), [], `qm.content.${key}`)
  for (const key of keys.image.filter((k) => k !== 'source')) {
    const value = { source: 'quay.io/a/b', tag: 'x', digest: `sha256:${'a'.repeat(64)}`, name: 'localhost/b', 'containers-transport': 'docker', index: true }[key]
    assert.equal(load(`qm:\n  content:\n    container_images: [{ source: quay.io/a/b, ${key}: ${JSON.stringify(value)} }]\n`).errors.map(formatError), [], key)
  }
})

Keys.run()

// ---

const Formats = suite('AIB keys in the osbuild formats')

const errorsOf = (text: string, format: 'mpp' | 'manifest' | 'stages', file = 'x.aib.yml') => render(Buffer.from(text), { file, format }).errors.map(formatError)

Formats('what only AIB does is FORMAT_UNSUPPORTED in mpp, manifest and stages, naming --format aib', () => {
  for (const format of ['mpp', 'stages'] as const) {
    const lines = errorsOf(WHOLE, format)
    assert.equal(lines.map((l) => l.split(': ')[0]), [
      'x.aib.yml:16:3 FORMAT_UNSUPPORTED /qm/container_checksum',
      'x.aib.yml:26:5 FORMAT_UNSUPPORTED /qm/content/remove_files',
      'x.aib.yml:28:5 FORMAT_UNSUPPORTED /qm/content/sbom',
    ])
    for (const l of lines) assert.match(l, /use --format aib, which passes it to automotive-image-builder/)
  }
  assert.ok(errorsOf(WHOLE, 'manifest').some((l) => l.includes('FORMAT_UNSUPPORTED /qm/content/remove_files')))
})

Formats('enable_repos resolves against the importing manifest\'s distro_debug_repos / distro_devel_repos', () => {
  const r = render(Buffer.from('qm:\n  content:\n    enable_repos: [debug, devel]\n'), { file: 'q.yml' })
  assert.equal(r.errors, [])
  const doc = parse(r.output!) as { pipelines: Pipeline[] }
  const depsolve = (doc.pipelines[0]!.stages[0]!.inputs!.packages as Record<string, any>)['mpp-depsolve']
  const inherited = depsolve.repos['mpp-join'][1]['mpp-eval'] as string
  assert.match(inherited, "for v in ['distro_repos', 'image_repos', 'extra_repos', 'distro_debug_repos', 'distro_devel_repos']")
  // a rootfs that is not resolved cannot take them
  const tarball = `rootfs: { tarball: { url: "https://x/r.tar", sha256: "${'a'.repeat(64)}" } }\ncontent:\n  enable_repos: [debug]\n`
  assert.equal(render(Buffer.from(tarball), { file: 'q.yml' }).errors.map((e) => `${e.code} ${e.pointer}`), ['CONFLICT /content/enable_repos'])
})

Formats('container_images index reaches osbuild-mpp; a pinned image cannot take it without mpp', () => {
  const r = render(Buffer.from('container_images: [{ source: quay.io/a/b, tag: "1", index: true }]\n'), { file: 'q.yml' })
  assert.match(r.output!, /index: true/)
  const pinned = `rootfs: { tarball: { url: "https://x/r.tar", sha256: "${'a'.repeat(64)}" } }\ncontainer_images: [{ source: quay.io/a/b, digest: "sha256:${'b'.repeat(64)}", image_id: "sha256:${'c'.repeat(64)}", index: true }]\n`
  assert.equal(render(Buffer.from(pinned), { file: 'q.yml', format: 'manifest' }).errors.map((e) => `${e.code} ${e.pointer}`), ['FORMAT_UNSUPPORTED /container_images/0/index'])
})

Formats.run()
