// The schema suites: every generator, every example and random configs give output that
// osbuild's own schemas accept (test/_helpers/osbuild-schemas.ts says where they are found;
// without them these suites are skipped, with one line saying how to run them).
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { parse, stringify } from 'yaml'
import { renderedExamples } from '../../scripts/examples.ts'
import { render } from '../../src/render/render.ts'
import type { Manifest, Pipeline, Stage } from '../../src/manifest/types.ts'
import { UPSTREAM_CONTAINERS_CONF } from '../../src/qm/containers-conf.ts'
import { generate as placement } from '../../stages/host-placement.ts'
import { generate as quadlet } from '../../stages/host-quadlet.ts'
import { generate as seccomp } from '../../stages/host-seccomp.ts'
import { generate as selinux } from '../../stages/host-selinux.ts'
import { generate as tmpfiles } from '../../stages/host-tmpfiles.ts'
import { generate as dropins } from '../../stages/host-dropins.ts'
import { generate as content } from '../../stages/qm-content.ts'
import { generate as systemd } from '../../stages/qm-systemd.ts'
import { generate as os } from '../../stages/qm-os.ts'
import { generate as nested } from '../../stages/qm-nested.ts'
import { generate as images } from '../../stages/qm-images.ts'
import { generate as storage } from '../../stages/qm-storage-conf.ts'
import { generate as containersConf } from '../../stages/qm-containers-conf.ts'
import { generate as contexts } from '../../stages/qm-selinux-contexts.ts'
import { generate as subids } from '../../stages/subids.ts'
import { built, CONTENT_STAGE_ORDER, EVERY_CONTENT_STAGE, rendered, TINY_ROOTFS } from '../_helpers/render.ts'
import { randomConfig } from '../_helpers/random-config.ts'
import { schemaSuite, validateManifest, validateStage, withoutMpp } from '../_helpers/osbuild-schemas.ts'

const valid = (stages: Stage[], at = '') => assert.equal(stages.flatMap((s, i) => validateStage(withoutMpp(s), `${at}stage ${i}`)), [], at)

const Generators = schemaSuite('osbuild schemas: every generator')

Generators('host stages: placement, host files from a pipeline, SELinux, drop-ins', () => {
  valid(placement({ pipeline: 'qm_rootfs', imageMode: true }).stages)
  valid(placement({ pipeline: 'qm_rootfs', imageMode: false }).stages)
  valid(tmpfiles({ lines: [{ type: 'C', path: '/var/qm', argument: '/usr/share/factory/var/qm', why: 'seed' }, { type: 'd', path: '/run/x', mode: '0700', why: 'x' }] }).stages)
  valid(quadlet({ containersConf: UPSTREAM_CONTAINERS_CONF }).stages)
  valid(seccomp({ path: '/usr/share/qm/seccomp-no-rt.json', origin: { pipeline: 'build', file: '/usr/share/qm/seccomp-no-rt.json' } }).stages)
  valid(selinux({ label: true, labelVar: true, module: { content: 'x' } }).stages)
  valid(
    dropins({
      resources: { MemoryMax: '1G', MemoryHigh: '1G', CPUWeight: 'idle', IOWeight: '50', TasksMax: '50%', OOMScoreAdjust: '500' },
      container: built('').config.container,
      readOnly: true,
      bluechiSocketDir: '/run/bluechi',
      allowUnsafe: {},
    }).stages,
  )
})

Generators('QM tree content, systemd presets and QM\'s own files', () => {
  const fragment = content(EVERY_CONTENT_STAGE)
  assert.equal(fragment.stages.map((s) => s.type), CONTENT_STAGE_ORDER)
  valid(fragment.stages)
  valid(systemd({ enabled: ['a.service'], disabled: ['b.service'], masked: ['c.service'] }).stages)
  valid(containersConf(UPSTREAM_CONTAINERS_CONF).stages)
  valid(contexts({ policy: 'targeted' }).stages)
  valid(subids({ lines: ['a:1:2'] }).stages)
  valid(nested({ nested: built(readFileSync('examples/05-embedded-image.qm.yaml', 'utf8')).config.nested }).stages)
})

Generators('the OS in every variant, images pinned or resolved, storage.conf', () => {
  const sha = 'ab'.repeat(32)
  valid(os({ kind: 'rpms', rpms: [{ url: 'https://m/p.rpm', sha256: sha }], gpgkeys: ['-----BEGIN PGP PUBLIC KEY BLOCK-----\nx'] }).stages)
  valid(os({ kind: 'tarball', content: readFileSync(TINY_ROOTFS) }).stages)
  for (const yaml of ['', 'rootfs: { pipeline: os }\n', `rootfs: { tarball: { url: "https://x/r.tar", sha256: ${'c'.repeat(64)} } }\n`]) {
    valid(rendered(yaml, { format: 'stages' }).plan!.pipelines[0]!.stages, yaml)
  }
  const d = `sha256:${'1'.repeat(64)}`
  const id = `sha256:${'2'.repeat(64)}`
  valid(images({ images: [{ source: 'quay.io/org/app', digest: d, imageId: id, name: 'localhost/app:latest' }], store: '/usr/lib/containers/storage' }).stages)
  valid(images({ images: [{ source: 'quay.io/org/app', tag: '1.0', name: 'localhost/app:1.0', transport: 'containers-storage' }], store: '/usr/lib/containers/storage' }).stages)
  valid(storage({ path: '/etc/containers/storage.conf', transientStore: false }).stages)
})

Generators('content from urls and from pipelines of the importing manifest', () => {
  const sha = 'd'.repeat(64)
  valid(rendered(`content:\n  add_files:\n    - { path: /etc/a, url: "https://x/a", sha256: ${sha} }\n`, { format: 'stages' }).plan!.pipelines[0]!.stages)
  valid(rendered('host_files: plugin\ncontainer: { seccomp_source: { pipeline: build } }\nselinux: { module: { pipeline: build } }\n', { format: 'stages' }).plan!.hostStages)
})

Generators.run()

// ---

const Examples = schemaSuite('osbuild schemas: examples')
const examples = renderedExamples()

Examples('every stage of every mpp fragment validates once osbuild-mpp has run', () => {
  for (const [name, text] of examples) {
    if (!name.endsWith('.ipp.yml')) continue
    const doc = parse(text) as { 'mpp-vars': { qm_host_first_stages: Stage[]; qm_host_stages: Stage[] }; pipelines: Pipeline[] }
    valid([...doc.pipelines.flatMap((p) => p.stages), ...doc['mpp-vars'].qm_host_first_stages, ...doc['mpp-vars'].qm_host_stages], `${name} `)
  }
})

Examples('every manifest-format output is a valid, loadable osbuild manifest', () => {
  const manifests = [...examples].filter(([name]) => name.endsWith('.json'))
  assert.ok(manifests.length >= 2)
  for (const [name, text] of manifests) assert.equal(validateManifest(JSON.parse(text) as Manifest), [], name)
})

Examples.run()

// ---

const RUNS = Number(process.env.QM_PROPERTY_RUNS ?? 150)
const SEED = Number(process.env.QM_PROPERTY_SEED ?? 20261123)
const Random = schemaSuite('osbuild schemas: random valid configs')

Random(`${RUNS} configs from seed ${SEED} (test/property.test.ts draws the same)`, () => {
  let manifests = 0
  for (let i = 0; i < RUNS; i++) {
    const text = stringify(randomConfig(SEED + i), { version: '1.1' })
    const at = `seed ${SEED + i}:\n${text}`
    const { plan } = render(Buffer.from(text), { file: 'qm.yaml' })
    if (!plan) return assert.unreachable(`${at}\nrejected`)
    valid([...plan.pipelines.flatMap((p) => p.stages), ...plan.hostFirstStages, ...plan.hostStages], at)
    const manifest = render(Buffer.from(text), { file: 'qm.yaml', format: 'manifest' })
    if (manifest.output) {
      manifests++
      assert.equal(validateManifest(JSON.parse(manifest.output) as Manifest), [], at)
    }
  }
  assert.ok(manifests > RUNS / 10, `only ${manifests} of ${RUNS} configs could be manifests`)
})

Random.run()
