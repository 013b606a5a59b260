// Issue 5, property test: random valid configs (test/_helpers/random-config.ts, seeded) always
// render byte-identical twice (test/osbuild/schemas.test.ts: to output osbuild's schemas accept), with every path inside its
// allowed root, and with unit files that read back to the settings the config asked for.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { stringify } from 'yaml'
import type { QmConfig } from '../src/config/types.ts'
import { render } from '../src/render/render.ts'
import { formatError } from '../src/errors.ts'
import type { Stage } from '../src/manifest/types.ts'
import { runPlan } from '../src/tree/qm-tree.ts'
import { walk } from '../src/tree/vtree.ts'
import { randomConfig } from './_helpers/random-config.ts'
import { effectiveQm, unitOf } from './_helpers/render.ts'

const RUNS = Number(process.env.QM_PROPERTY_RUNS ?? 150)
const SEED = Number(process.env.QM_PROPERTY_SEED ?? 20261123)

/** Where each pipeline may write: the QM tree's own /etc, /usr, /var; on the host, QM's places only. */
const QM_TREE = /^\/(etc|usr|var)(\/|$)/
const HOST = /^\/(usr\/lib\/qm|etc\/qm|var\/qm|usr\/share\/factory\/var\/qm|usr\/share\/containers\/systemd|etc\/containers\/systemd|usr\/share\/qm|usr\/share\/selinux|usr\/lib\/systemd\/system\.conf\.d)(\/|$)|^\/etc\/sub[ug]id$|^\/usr\/lib\/tmpfiles\.d\/qm-stage\.conf$|^\/(etc|usr|usr\/lib|usr\/share|var|usr\/lib\/tmpfiles\.d|usr\/share\/factory|usr\/share\/factory\/var)$/

function targets(stages: Stage[]): string[] {
  return stages.flatMap((s) => {
    const o = (s.options ?? {}) as Record<string, unknown>
    const paths = (o.paths as { path?: string; to?: string; link_name?: string }[] | undefined) ?? []
    return [
      ...paths.map((p) => p.path ?? p.to ?? p.link_name ?? ''),
      ...Object.keys((o.items as object | undefined) ?? {}),
      ...(typeof o.target === 'string' ? [o.target] : []),
    ].map((p) => p.replace(/^tree:\/\//, '').replace(/\/$/, '') || '/')
  })
}

const Property = suite('random valid configs')

Property(`${RUNS} configs from seed ${SEED}`, () => {
  let manifests = 0
  for (let i = 0; i < RUNS; i++) {
    const seed = SEED + i
    const text = stringify(randomConfig(seed), { version: '1.1' })
    const at = `seed ${seed}:\n${text}`
    const mpp = render(Buffer.from(text), { file: 'qm.yaml' })
    if (!mpp.output) assert.unreachable(`${at}\nrejected: ${mpp.errors.map(formatError).join('\n')}`)
    assert.is(render(Buffer.from(text), { file: 'qm.yaml' }).output, mpp.output, `${at}\nsecond run differs`)
    const { plan, config } = mpp as { plan: NonNullable<typeof mpp.plan>; config: QmConfig }
    for (const p of targets(plan.pipelines[0]!.stages)) assert.ok(QM_TREE.test(p) || p === '/', `${at}\nQM tree path ${p}`)
    for (const p of targets(plan.hostStages)) assert.ok(HOST.test(p), `${at}\nhost path ${p}`)
    const manifest = render(Buffer.from(text), { file: 'qm.yaml', format: 'manifest' })
    if (manifest.output) {
      manifests++
      assert.is(render(Buffer.from(text), { file: 'qm.yaml', format: 'manifest' }).output, manifest.output, `${at}\nsecond manifest differs`)
    }

    // unit files read back to what the config asked for
    const { host } = runPlan(plan)
    const qm = effectiveQm(host)
    const c = config.container
    for (const [k, v] of Object.entries(c.environment)) assert.ok(qm.list('Container', 'Environment').includes(`${k}=${v}`), `${at}\nEnvironment ${k}`)
    for (const [k, v] of Object.entries(c.annotations)) assert.ok(qm.list('Container', 'Annotation').includes(`${k}=${v}`), `${at}\nAnnotation ${k}`)
    for (const [k, v] of Object.entries(c.sysctl)) assert.ok(qm.list('Container', 'Sysctl').includes(`${k}=${v}`), `${at}\nSysctl ${k}`)
    assert.is(qm.get('Service', 'MemoryMax'), config.memory_limit.max, at)
    assert.is(qm.get('Service', 'CPUWeight'), String(config.cpu_weight), at)
    for (const n of config.nested) {
      const unit = unitOf(host, `/etc/qm/containers/systemd/${n.name}.container`)
      assert.equal(unit.issues, [], at)
      assert.is(unit.get('Container', 'Image'), n.image, at)
      assert.is(unit.get('Container', 'Exec'), n.exec, at)
      assert.equal(unit.list('Container', 'Environment'), Object.entries(n.environment).map(([k, v]) => `${k}=${v}`), `${at}\nnested ${n.name} Environment`)
      assert.equal(unit.list('Container', 'Volume'), n.volumes, at)
    }
    assert.ok(walk(host).length > 0)
  }
  console.log(`\n  property test: ${RUNS} random configs, ${manifests} also as plain manifests`)
})

Property.run()
