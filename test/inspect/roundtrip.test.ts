// inspect of what `qm-stage tree` builds reports exactly the settings the config asked for.
// Expected values are derived from the config here, not from render's output.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { exampleConfigs } from '../../scripts/examples.ts'
import { readOnly } from '../../src/config/derive.ts'
import type { QmConfig } from '../../src/config/types.ts'
import type { Report } from '../../src/inspect/report.ts'
import { normaliseCapability, QM_DROPPED_CAPABILITIES, UNSAFE } from '../../src/isolation.ts'
import { asInstalledByRpm, inspectTar } from '../_helpers/image.ts'
import { built, tinySeed } from '../_helpers/render.ts'

const values = (r: Report, section: string, key: string) => {
  const s = r.quadlet.settings.find((x) => x.section === section && x.key === key)
  return s?.values?.map((v) => v.value) ?? (s?.value ? [s.value.value] : [])
}

/** What qm.container's effective settings must be for `c`, from the config and upstream's values. */
function expectations(c: QmConfig) {
  const adds = c.container.add_capabilities.map(normaliseCapability)
  const seccomp = c.container.seccomp_profile === 'default' ? '' : c.container.seccomp_profile
  return {
    Service: {
      MemoryMax: [c.memory_limit.max],
      MemoryHigh: [c.memory_limit.high],
      CPUWeight: [String(c.cpu_weight)],
      IOWeight: [String(c.io_weight)],
      TasksMax: [String(c.tasks_max)],
      OOMScoreAdjust: [String(c.oom_score_adjust)],
    },
    Container: {
      DropCapability: [...new Set([...QM_DROPPED_CAPABILITIES, ...c.container.drop_capabilities.map(normaliseCapability)])].filter((cap) => !adds.includes(cap)),
      ReadOnly: [String(readOnly(c))],
      SeccompProfile: [seccomp],
      Network: [c.container.network ?? 'private'],
    },
  }
}

const RoundTrip = suite('inspect round trip')

for (const name of exampleConfigs()) {
  RoundTrip(`${name}: inspect reports the configured QM`, async () => {
    const { host, config } = built(readFileSync(join('examples', name), 'utf8'), { file: join('examples', name), seed: await tinySeed() })
    const r = await inspectTar(asInstalledByRpm(host))
    for (const [section, keys] of Object.entries(expectations(config))) {
      for (const [key, expected] of Object.entries(keys)) assert.equal(values(r, section, key), expected, `[${section}] ${key}`)
    }
    for (const v of config.container.volumes) assert.ok(values(r, 'Container', 'Volume').includes(v), v)
    assert.is(r.inside.containersConf.oomScoreAdj?.value, String(config.containers_conf.oom_score_adj))
    // nested Quadlets: the configured ones, plus any the config adds as files (automotive-image-builder's way)
    const asFiles = config.content.add_files.filter((f) => f.path.startsWith('/etc/containers/systemd/')).map((f) => f.path.split('/').at(-1)!.replace(/\.container$/, ''))
    assert.equal(r.inside.nested.map((n) => n.name).sort(), [...config.nested.map((n) => n.name), ...asFiles].sort())
    assert.equal(
      r.inside.nested.filter((n) => !asFiles.includes(n.name)).map((n) => [n.name, n.image?.value, n.oomScoreAdjust?.value, n.pull]),
      config.nested.map((n) => [n.name, n.image, n.oom_score_adjust === undefined ? undefined : String(n.oom_score_adjust), n.pull ?? 'never']),
    )
    if (config.bluechi.enabled) {
      assert.is(r.bluechi.nodeName?.value, config.bluechi.node_name ?? `qm.${config.node}`)
      assert.is(r.bluechi.enabled, true)
    } else assert.equal(r.bluechi.files, [])
    const unsafe = r.findings.filter((f) => f.id in UNSAFE)
    assert.equal(unsafe.map((f) => f.id).sort(), Object.keys(config.allow_unsafe).sort(), 'exactly the accepted weakenings')
    assert.ok(unsafe.every((f) => f.severity === 'warning' && f.message.includes(`(accepted: ${config.allow_unsafe[f.id]})`)))
  })
}

RoundTrip.run()
