// --format aib: the fragment validates against automotive-image-builder's own schema, says
// the config in AIB's keys without repeating or fighting what AIB does, and --into merges it
// into a user's manifest keeping comments and order.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { renderedExamples } from '../../scripts/examples.ts'
import { render } from '../../src/render/render.ts'
import { formatError } from '../../src/errors.ts'
import { QM } from '../../src/qm/paths.ts'
import { emptyTree } from '../../src/tree/vtree.ts'
import { AIB_SCHEMA, aibErrors, aibSchemaSuite } from '../_helpers/aib-schema.ts'
import { cli } from '../_helpers/cli.ts'
import { yaml } from '../_helpers/config.ts'
import { asInstalledByRpm, put } from '../_helpers/image.ts'
import { effectiveQm } from '../_helpers/render.ts'
import { scratchFor } from '../_helpers/scratch.ts'

type Manifest = {
  name: string
  qm: { content?: Record<string, unknown[]> & { systemd?: Record<string, string[]> }; memory_limit?: Record<string, string>; cpu_weight?: unknown }
  content?: { add_files: { path: string; text: string }[] }
  image?: Record<string, unknown>
}

const aib = (text: string, options: Parameters<typeof render>[1] = {}) => {
  const r = render(Buffer.from(text), { file: 'qm.yaml', format: 'aib', ...options })
  if (r.output === undefined) throw new Error(r.errors.map(formatError).join('\n'))
  return { ...r, output: r.output, doc: parse(r.output, { version: '1.1' }) as Manifest }
}
const hostFile = (m: Manifest, path: string) => m.content?.add_files.find((f) => f.path === path)?.text
const qmFiles = (m: Manifest) => (m.qm.content?.add_files ?? []) as { path: string; text?: string; source_path?: string }[]

const Schema = aibSchemaSuite("--format aib against automotive-image-builder's schema")

Schema("every example's aib output is valid for automotive-image-builder's schema", () => {
  const outputs = [...renderedExamples()].filter(([name]) => name.endsWith('.aib.yml'))
  assert.ok(outputs.length >= 6, `${outputs.length}`)
  for (const [name, text] of outputs) assert.equal(aibErrors(parse(text, { version: '1.1' })), [], name)
})

Schema('a config with every AIB qm: key and the qm-stage keys AIB lacks is valid for the schema too', () => {
  const { doc } = aib(yaml`
    memory_limit: { max: 2G, high: 1500M }
    cpu_weight: 200
    container_checksum: ${'c'.repeat(64)}
    policy: mls
    subids: { host: ["qmcontainers:1000000000:1500000000", "containers:2500000000:1500000000", "radio:4000000000:65536"] }
    content:
      rpms: [less]
      enable_repos: [debug, devel]
      repos: [{ id: extra, baseurl: "https://example.com/$arch/" }]
      container_images: [{ source: quay.io/x/app, digest: "sha256:${'a'.repeat(64)}", index: true }]
      remove_files: [{ path: /usr/share/doc/x }]
      make_dirs: [{ path: /var/lib/app, mode: 0750 }]
      chown_files: [{ path: /var/lib/app, user: 1000 }]
      sbom: { doc_path: /usr/share/qm/sbom.spdx.json }
    nested: [{ name: app, image: quay.io/x/app, oom_score_adjust: 900 }]
  `)
  assert.equal(aibErrors(doc), [])
  assert.equal(doc.qm.memory_limit, { max: '2G', high: '1500M' })
  assert.is(doc.qm.cpu_weight, 200)
  assert.is((doc.qm as Record<string, unknown>).container_checksum, 'c'.repeat(64))
  assert.equal(doc.qm.content!.enable_repos, ['debug', 'devel'])
  assert.equal(doc.qm.content!.remove_files, [{ path: '/usr/share/doc/x' }])
  assert.equal(doc.qm.content!.container_images, [{ source: 'quay.io/x/app', digest: `sha256:${'a'.repeat(64)}`, index: true }])
  assert.equal(doc.image, { selinux_policy: 'mls' })
  assert.equal((doc as Record<string, any>).experimental.internal_defines, { extra_subuid: 'radio:4000000000:65536', extra_subgid: 'radio:4000000000:65536' })
})

Schema.run()

const Aib = suite('--format aib')
const tmpAib = scratchFor(Aib, 'aib')

Aib("AIB's own work is not repeated: base packages, storage.conf, subids, its resource keys", () => {
  const { doc } = aib('memory_limit: { max: 4G }\ncpu_weight: 50\nrootfs: { packages: [podman, systemd, jq] }\n')
  assert.equal(doc.qm.content!.rpms, ['bluechi-agent', 'jq'])
  const paths = [...qmFiles(doc).map((f) => f.path), ...doc.content!.add_files.map((f) => f.path)]
  for (const aibs of ['/etc/subuid', '/etc/subgid', '/usr/share/containers/storage.conf', '/etc/containers/containers.conf', QM.quadlet]) {
    assert.not.ok(paths.includes(aibs), aibs)
  }
  // AIB's 10-automotive.conf carries MemoryMax, MemoryHigh and CPUWeight; qm-stage's drop-in leaves them to it
  const resources = hostFile(doc, `${QM.dropinDir}/10-qm.conf`)!
  assert.not.match(resources, /MemoryMax|MemoryHigh|CPUWeight/)
  assert.match(resources, /^IOWeight=50$/m)
  assert.equal(doc.qm.memory_limit, { max: '4G' })
})

Aib('with AIB\'s 10-automotive.conf in the tree, qm.service gets AIB\'s resources and qm-stage\'s others', () => {
  const { doc } = aib('memory_limit: { max: 4G, high: 3G }\ncpu_weight: 50\nio_weight: 20\ncontainer:\n  publish_ports: ["127.0.0.1:8080:80"]\n')
  const host = asInstalledByRpm(emptyTree())
  // what AIB writes from qm.memory_limit and qm.cpu_weight (its qm_automotive_conf)
  put(host, '/usr/share/containers/systemd/qm.container.d/10-automotive.conf', `[Service]\nMemoryMax=${doc.qm.memory_limit!.max}\nMemoryHigh=${doc.qm.memory_limit!.high}\nCPUWeight=${doc.qm.cpu_weight}\n\n[Container]\n\n`)
  for (const f of doc.content!.add_files) put(host, f.path, f.text)
  const qm = effectiveQm(host)
  assert.equal(qm.dropins.map((d) => d.split('/').at(-1)), ['10-automotive.conf', '10-qm.conf', '20-qm-container.conf', '30-qm-bluechi.conf'])
  assert.is(qm.get('Service', 'MemoryMax'), '4G')
  assert.is(qm.get('Service', 'MemoryHigh'), '3G')
  assert.is(qm.get('Service', 'CPUWeight'), '50')
  assert.is(qm.get('Service', 'IOWeight'), '20')
  assert.equal(qm.list('Container', 'PublishPort'), ['127.0.0.1:8080:80'])
})

Aib('local source paths are rebased onto the manifest\'s directory, where AIB reads them', () => {
  const dir = tmpAib()
  writeFileSync(join(dir, 'radio.conf'), 'x\n')
  mkdirSync(join(dir, 'conf'))
  const config = join(dir, 'conf', 'qm.yaml')
  const { doc } = aib('content:\n  add_files: [{ path: /etc/radio.conf, source_path: ../radio.conf }]\n', { file: config, sourceRoot: dir, manifestDir: join(dir, 'images') })
  assert.equal(qmFiles(doc).find((f) => f.path === '/etc/radio.conf'), { path: '/etc/radio.conf', source_path: '../radio.conf' })
})

Aib('what AIB cannot be told is refused, naming the key', () => {
  const codes = (text: string) => render(Buffer.from(text), { file: 'qm.yaml', format: 'aib' }).errors.map((e) => `${e.code} ${e.pointer}`)
  assert.equal(codes('rootfs: { tarball: { url: "https://x/r.tar", sha256: "' + 'a'.repeat(64) + '" } }\n'), ['FORMAT_UNSUPPORTED /rootfs/tarball'])
  const pinned = `{ url: "https://x/f", sha256: "${'a'.repeat(64)}" }`
  assert.equal(codes(`host_files: plugin\nselinux: { module: ${pinned} }\ncontainer: { seccomp_source: ${pinned} }\n`), ['FORMAT_UNSUPPORTED /host_files'])
  assert.equal(codes('storage_conf: { transient_store: false }\n'), ['FORMAT_UNSUPPORTED /storage_conf'])
  assert.equal(codes('subids: { host: ["containers:1:2"] }\n'), ['FORMAT_UNSUPPORTED /subids/host'])
  assert.equal(codes('rootfs: { exclude_packages: [vim] }\n'), ['FORMAT_UNSUPPORTED /rootfs/exclude_packages'])
})

Aib.run()

// ---

const Into = suite('--format aib --into')
const tmpInto = scratchFor(Into, 'into')

const MANIFEST = yaml`
  # Radio ECU image: owned by the radio team
  name: radio   # the image's name

  content:
    rpms:
      - vim-minimal   # debugging on the bench
    add_files:
      - path: /etc/motd
        text: "radio ECU\\n"

  # QM: memory tuned on the bench
  qm:
    memory_limit:
      max: 4G   # measured
    content:
      rpms: [less]

  image:
    image_size: 8 GiB
`

function workdir(manifest = MANIFEST) {
  const dir = tmpInto()
  writeFileSync(join(dir, 'radio.aib.yml'), manifest)
  return { dir, file: join(dir, 'radio.aib.yml') }
}

const CONFIG = 'memory_limit: { max: 4G, high: 3G }\nnested:\n  - { name: tuner, image: quay.io/x/tuner:1, pull: missing }\n'

Into('the user\'s comments, order and values stay; what qm-stage adds is marked; a rerun changes nothing', async () => {
  const { dir, file } = workdir()
  writeFileSync(join(dir, 'qm.yaml'), CONFIG)
  const first = await cli(['render', join(dir, 'qm.yaml'), '--format', 'aib', '--into', file])
  assert.is(first.code, 0, first.err)
  const merged = readFileSync(file, 'utf8')
  // every comment and every top-level key of the original, in the original order
  const comments = (t: string) => t.split('\n').flatMap((l) => l.match(/#.*$/)?.[0] ?? []).filter((c) => !c.includes('qm-stage'))
  const mine = comments(MANIFEST)
  assert.ok(mine.length >= 5)
  assert.equal(comments(merged).filter((c) => mine.includes(c)), mine)
  assert.equal(Object.keys(parse(merged)), ['name', 'content', 'qm', 'image'])
  const doc = parse(merged) as Manifest
  assert.equal(doc.content!.add_files[0], { path: '/etc/motd', text: 'radio ECU\n' })
  assert.is(doc.qm.memory_limit!.max, '4G')
  assert.is(doc.qm.memory_limit!.high, '3G')
  assert.equal(doc.qm.content!.rpms, ['less', 'bluechi-agent'])
  assert.ok(qmFiles(doc).some((f) => f.path === '/etc/containers/systemd/tuner.container'))
  assert.match(merged, /high: 3G # qm-stage/)
  assert.not.match(merged, /max: 4G # qm-stage/) // the user's value, equal to the config's, stays the user's
  if (AIB_SCHEMA) assert.equal(aibErrors(doc), [])
  const second = await cli(['render', join(dir, 'qm.yaml'), '--format', 'aib', '--into', file])
  assert.is(second.code, 0)
  assert.is(readFileSync(file, 'utf8'), merged)
})

Into('a later run updates and removes what it wrote, and only that', async () => {
  const { dir, file } = workdir()
  writeFileSync(join(dir, 'qm.yaml'), CONFIG)
  await cli(['render', join(dir, 'qm.yaml'), '--format', 'aib', '--into', file])
  writeFileSync(join(dir, 'qm.yaml'), 'memory_limit: { max: 4G, high: 2G }\nbluechi: { enabled: false }\n')
  const { code, err } = await cli(['render', join(dir, 'qm.yaml'), '--format', 'aib', '--into', file])
  assert.is(code, 0, err)
  const doc = parse(readFileSync(file, 'utf8')) as Manifest
  assert.is(doc.qm.memory_limit!.high, '2G')
  assert.equal(doc.qm.content!.rpms, ['less'])
  assert.not.ok(qmFiles(doc).some((f) => f.path.includes('tuner') || f.path.includes('bluechi')))
  assert.is(doc.qm.content!.systemd, undefined) // emptied by qm-stage, so gone
  assert.equal(doc.content!.add_files.map((f) => f.path), ['/etc/motd', `${QM.dropinDir}/10-qm.conf`, QM.managerDropin])
})

Into('what the user wrote is never overwritten: CONFLICT at its place, nothing written', async () => {
  const { dir, file } = workdir(MANIFEST.replace('text: "radio ECU\\n"', 'text: "radio ECU\\n"\n    - path: /usr/lib/systemd/system.conf.d/10-qm-oom.conf\n      text: "[Manager]\\nDefaultOOMScoreAdjust=-900\\n"'))
  writeFileSync(join(dir, 'qm.yaml'), 'memory_limit: { max: 8G }\n')
  const before = readFileSync(file, 'utf8')
  const { code, err } = await cli(['render', join(dir, 'qm.yaml'), '--format', 'aib', '--into', file])
  assert.is(code, 1)
  const lines = err.split('\n').filter((l) => l.includes('CONFLICT'))
  assert.equal(lines.map((l) => l.split(' ').slice(0, 3).join(' ')), [
    `${file}:10:7 CONFLICT /content/add_files/1:`,
    `${file}:16:10 CONFLICT /qm/memory_limit/max:`,
  ])
  assert.match(lines[1]!, /holds 4G, which qm-stage did not write; its config makes it 8G/)
  assert.is(readFileSync(file, 'utf8'), before)
  assert.equal(readdirSync(dir).sort(), ['qm.yaml', 'radio.aib.yml'])
})

Into('a file the same as what qm-stage would write is the user\'s and is kept as it is', async () => {
  const oom = '# Host services below QM in the OOM order, written by qm-stage.\n\n[Manager]\nDefaultOOMScoreAdjust=-1000\n'
  const { dir, file } = workdir(MANIFEST.replace('text: "radio ECU\\n"', `text: "radio ECU\\n"\n    - path: ${QM.managerDropin}\n      text: ${JSON.stringify(oom)}`))
  writeFileSync(join(dir, 'qm.yaml'), '{}\n')
  const { code, err } = await cli(['render', join(dir, 'qm.yaml'), '--format', 'aib', '--into', file])
  assert.is(code, 0, err)
  const doc = parse(readFileSync(file, 'utf8')) as Manifest
  assert.is(doc.content!.add_files.filter((f) => f.path === QM.managerDropin).length, 1)
})

Into('a new file is created; a manifest that is not a mapping is refused', async () => {
  const dir = tmpInto()
  const { code } = await cli(['render', '--format', 'aib', '--into', join(dir, 'new.aib.yml')])
  assert.is(code, 0)
  const doc = parse(readFileSync(join(dir, 'new.aib.yml'), 'utf8')) as Manifest
  assert.is(doc.name, 'new')
  if (AIB_SCHEMA) assert.equal(aibErrors(doc), [])
  writeFileSync(join(dir, 'list.aib.yml'), '- a\n')
  const bad = await cli(['render', '--format', 'aib', '--into', join(dir, 'list.aib.yml')])
  assert.is(bad.code, 1)
  assert.match(bad.err, /list\.aib\.yml:1:1 CONFIG_INVALID \/: is not an automotive-image-builder manifest/)
  assert.is((await cli(['render', '--into', join(dir, 'x.aib.yml')])).code, 2)
  assert.not.ok(existsSync(join(dir, 'x.aib.yml')))
})

Into.run()
