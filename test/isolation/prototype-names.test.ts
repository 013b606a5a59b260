// Names from input (unit keys, TOML tables, file types, annotations, variables, commands) that a plain object
// also answers to, through Object.prototype: each must behave as any other name qm-stage does not know.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parse as parseToml } from 'smol-toml'
import { nestedContext, qmContext } from '../../src/isolation/contexts.ts'
import { classifyContainersConfKey } from '../../src/isolation/containers-conf.ts'
import { annotationHit } from '../../src/isolation/devices.ts'
import { hostPathProblem } from '../../src/isolation/host-paths.ts'
import { classifyServiceKey } from '../../src/isolation/service-keys.ts'
import { parseSpecs } from '../../src/tree/file-contexts.ts'
import { mergeSection } from '../../src/tree/ops/storage-conf.ts'
import { parseInstall } from '../../src/tree/ops/systemd.ts'
import type { TomlTable } from '../../src/tree/toml.ts'
import { cli } from '../_helpers/cli.ts'

const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__']
/** A name no table has, whose answers the prototype names must give (with the name itself in messages). */
const UNKNOWN = 'Qmunknown'
const as = (value: unknown, name: string) => JSON.stringify(value ?? null).replaceAll(name, UNKNOWN)

const Names = suite('names Object.prototype also answers to')

Names('a ${NAME} in a host path expands to nothing, as systemd expands an unset variable', () => {
  // three names and three '..': if a name expanded to text the path would stay under /var/qm
  const path = (name: string) => `/var/qm/\${${name}}/\${${name}}/\${${name}}/../../..`
  for (const ctx of [qmContext(500), nestedContext(750, ['A=1'])]) {
    assert.ok(hostPathProblem(path(UNKNOWN), ctx), 'the root is refused')
    for (const name of PROTOTYPE_NAMES) assert.is(hostPathProblem(path(name), ctx)?.replaceAll(name, UNKNOWN), hostPathProblem(path(UNKNOWN), ctx), name)
  }
})

Names('[Service] keys and containers.conf keys are judged as unknown keys', () => {
  const ctx = nestedContext(750, undefined)
  for (const name of PROTOTYPE_NAMES) {
    assert.is(as(classifyServiceKey(name, 'x', ctx), name), as(classifyServiceKey(UNKNOWN, 'x', ctx), UNKNOWN), name)
    for (const key of [name, `${name}.x`, `engine.${name}`]) {
      const known = key.replace(name, UNKNOWN.toLowerCase())
      assert.is(as(classifyContainersConfKey(key, 'x', ctx), name), as(classifyContainersConfKey(known, 'x', ctx), UNKNOWN.toLowerCase()), key)
    }
  }
})

Names('an [Install] key, a file_contexts type and a device annotation with such a name are unknown ones', () => {
  const fail = (f: () => unknown) => {
    try {
      return f()
    } catch (e) {
      return `throws: ${(e as Error).message}`
    }
  }
  for (const name of PROTOTYPE_NAMES) {
    const install = (key: string) => parseInstall(`[Install]\nWantedBy=a.target\n${key}=x\n${key}=\n`, 'u.service')
    assert.equal(install(name), install(UNKNOWN), name)
    assert.is(as(fail(() => parseSpecs(`/foo ${name} system_u:object_r:etc_t:s0\n`, 'fc')), name), as(fail(() => parseSpecs(`/foo ${UNKNOWN} system_u:object_r:etc_t:s0\n`, 'fc')), UNKNOWN), name)
    const hit = (n: string) => annotationHit(`org.containers.qm.device.${n}=true`)
    assert.is(as(hit(name), name), as(hit(UNKNOWN), UNKNOWN), name)
  }
})

Names('a storage.conf table named __proto__ is merged as a table of that name, and Object.prototype is untouched', () => {
  const from = parseToml('[storage.__proto__]\npolluted = "yes"\n[storage.constructor]\nx = 1\n') as TomlTable
  const into: TomlTable = { storage: { driver: 'overlay' } }
  mergeSection('storage', into, from)
  assert.is(({} as Record<string, unknown>).polluted, undefined)
  const storage = into.storage as TomlTable
  assert.equal(Object.keys(storage), ['driver', '__proto__', 'constructor'])
  assert.equal([Object.getOwnPropertyDescriptor(storage, '__proto__')?.value, storage.constructor], [{ polluted: 'yes' }, { x: 1 }])
  assert.is(Object.getPrototypeOf(storage), Object.prototype)
})

Names('a command or help topic with such a name is an unknown command', async () => {
  const unknown = await cli([UNKNOWN])
  for (const name of PROTOTYPE_NAMES) {
    for (const argv of [[name], ['help', name]]) {
      const r = await cli(argv)
      assert.equal([r.code, r.out], [2, ''], argv.join(' '))
      assert.match(r.err, /^qm-stage: (unknown command|no command) /, argv.join(' '))
    }
    assert.is((await cli([name])).err.split('\n')[0]!.replace(name, UNKNOWN).replace(/ \(did you mean [^)]*\)/, ''), unknown.err.split('\n')[0]!.replace(/ \(did you mean [^)]*\)/, ''))
  }
})

Names.run()
