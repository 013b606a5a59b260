import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { GENERATED, validatorSource } from '../../scripts/gen-validator.ts'
import { GENERATED_TYPES, configTypesSource } from '../../scripts/gen-config-types.ts'
import schema from '../../src/config/qm.schema.json' with { type: 'json' }
import { UPSTREAM_CONTAINERS_CONF } from '../../src/qm/containers-conf.ts'
import { UPSTREAM_QM_CONTAINER } from '../../src/qm/qm-container.ts'
import { QM } from '../../src/qm/paths.ts'

const Generated = suite('generated from qm.schema.json')

Generated('validator.generated.ts is the schema compiled now (npm test and npm run build regenerate it)', () => {
  assert.ok(readFileSync(GENERATED, 'utf8') === validatorSource())
})

Generated('types.generated.ts is the schema typed now (npm test, typecheck and build regenerate it)', () => {
  assert.ok(readFileSync(GENERATED_TYPES, 'utf8') === configTypesSource())
})

Generated.run()

// ---

type Node = { default?: unknown; properties?: Record<string, Node>; $ref?: string }
const defs = (schema as { $defs: Record<string, Node> }).$defs
const at = (...keys: string[]): Node => {
  let n = schema as Node
  for (const k of keys) {
    n = n.properties![k]!
    if (!n.properties && n.$ref && defs[n.$ref.replace('#/$defs/', '')]!.properties) n = { ...defs[n.$ref.replace('#/$defs/', '')]!, ...n }
  }
  return n
}
const qmService = (key: string) => UPSTREAM_QM_CONTAINER.find((s) => s.name === 'Service')!.entries.filter(([k]) => k === key).map(([, v]) => v)

const Defaults = suite('schema defaults are the upstream values in src/qm')

Defaults('qm.service resources default to upstream qm.container', () => {
  const pairs: [string[], string][] = [
    [['memory_limit', 'max'], 'MemoryMax'],
    [['memory_limit', 'high'], 'MemoryHigh'],
    [['cpu_weight'], 'CPUWeight'],
    [['io_weight'], 'IOWeight'],
    [['tasks_max'], 'TasksMax'],
    [['oom_score_adjust'], 'OOMScoreAdjust'],
  ]
  for (const [keys, unitKey] of pairs) assert.equal([String(at(...keys).default)], qmService(unitKey), keys.join('.'))
})

Defaults('container.seccomp_profile defaults to the profile upstream names', () => {
  assert.is(at('container', 'seccomp_profile').default, QM.seccompProfile)
})

Defaults('containers_conf defaults to upstream containers.conf, key for key', () => {
  const props = at('containers_conf').properties!
  assert.equal(Object.keys(props).sort(), Object.keys(UPSTREAM_CONTAINERS_CONF).sort())
  for (const [key, value] of Object.entries(UPSTREAM_CONTAINERS_CONF)) assert.equal(props[key]!.default, value, key)
})

Defaults.run()
