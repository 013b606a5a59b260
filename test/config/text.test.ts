// Issue 9 E: white space a reader trims, at the edge of any value written into a unit or conf file,
// is a positioned error, never a stack trace. Proved for the class: every code point against the
// schema's `line` rule and the unit writer, then every string of every example mutated.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isMap, isScalar, isSeq, parseDocument } from 'yaml'
import schema from '../../src/config/qm.schema.json' with { type: 'json' }
import { loadConfig } from '../../src/config/load.ts'
import { render } from '../../src/render/render.ts'
import { parseUnit } from '../../src/units/parse.ts'
import { CONTROL, EDGE_SPACE, writeUnit } from '../../src/units/write.ts'
import { exampleConfigs } from '../../scripts/examples.ts'

const LINE = new RegExp(schema.$defs.line.pattern, 'u')
/** What a config accepts as a one-line value: the schema's rule, and no control character (tab aside). */
const accepted = (v: string) => LINE.test(v) && !CONTROL.test(v.replaceAll('\t', ''))

/** The characters issue 9 names, and the rest of the class: every blank Go, C or JavaScript trims. */
const NAMED = ['\u00a0', '\u2028', '\u2029', '\u0085', '\v', '\f', '\u3000', '\u1680', '\u2000', '\u2005', '\u200a', '\u202f', '\u205f', '\ufeff', '\t', ' ']

const Class = suite('edge white space: the class')

Class('no value the config accepts has white space any reader trims at an edge', () => {
  for (const c of NAMED) {
    assert.not.ok(accepted(`${c}x`), `leading ${JSON.stringify(c)}`)
    assert.not.ok(accepted(`x${c}`), `trailing ${JSON.stringify(c)}`)
  }
  for (let cp = 0; cp <= 0xffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue
    const c = String.fromCharCode(cp)
    if (EDGE_SPACE.test(c)) {
      assert.not.ok(accepted(`${c}x`) || accepted(`x${c}`), `U+${cp.toString(16)} at an edge`)
    }
  }
})

Class('every value the config accepts is written and read back exactly, by Quadlet and by systemd', () => {
  const values: string[] = []
  for (let cp = 1; cp <= 0xffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue
    const c = String.fromCharCode(cp)
    for (const value of [`${c}x`, `x${c}`, `x${c}y`]) if (accepted(value)) values.push(value)
  }
  assert.ok(values.length > 150_000, `${values.length}`)
  // one file with every value, read back by both readers
  const text = writeUnit([{ name: 'Container', entries: values.map((v) => ['Exec', v] as const) }])
  for (const dialect of ['quadlet', 'systemd'] as const) {
    const read = parseUnit(text, 'x.container', dialect).entries.map((e) => e.value)
    assert.is(read.length, values.length, dialect)
    const wrong = values.findIndex((v, i) => read[i] !== v)
    assert.is(wrong, -1, `${dialect}: ${JSON.stringify(values[wrong])} read back as ${JSON.stringify(read[wrong])}`)
  }
})

Class('control characters are refused anywhere in config text, with their place; tab and free text aside', () => {
  for (const c of ['\u0085', '\v', '\f', '\u001c', '\u001f', '\u007f', '\u009f', '\u0001']) {
    const errors = loadConfig(Buffer.from(`nested:\n  - { name: a, image: x, pull: always, exec: "run ${JSON.stringify(c).slice(1, -1)}now" }\n`), 'qm.yaml').errors
    assert.equal(errors.map((e) => `${e.where?.line}:${e.where?.col} ${e.code} ${e.pointer}`), ['2:46 CONFIG_INVALID /nested/0/exec'], JSON.stringify(c))
    assert.match(errors[0]!.message, /a control character/)
  }
  assert.is(loadConfig(Buffer.from('nested:\n  - { name: a, image: x, pull: always, exec: "run\\tnow" }\n')).errors.length, 0)
  assert.is(loadConfig(Buffer.from('content:\n  add_files:\n    - { path: /etc/a, text: "l1\\nl2\\r\\n" }\n')).errors.length, 0)
  assert.is(loadConfig(Buffer.from('content:\n  add_files:\n    - { path: /etc/a, text: "a\\x07b" }\n')).errors[0]!.pointer, '/content/add_files/0/text')
  // a lone UTF-16 half (YAML's "\ud800") has no UTF-8 form: it would be written as U+FFFD
  assert.is(loadConfig(Buffer.from('bluechi:\n  agent: { LogLevel: "a\\ud800" }\n')).errors[0]!.pointer, '/bluechi/agent/LogLevel')
})

const Mutations = suite('edge white space: every string of every example')

/** Each string scalar of `text` (by path), with a character of the class put before and after it (a different one for each path). */
function* mutated(text: string): Generator<[string, string]> {
  const doc = parseDocument(text, { version: '1.1' })
  const paths: (string | number)[][] = []
  const walk = (node: unknown, path: (string | number)[]) => {
    if (isMap(node)) for (const p of node.items) walk(p.value, [...path, isScalar(p.key) ? String(p.key.value) : ''])
    else if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i]))
    else if (isScalar(node) && typeof node.value === 'string') paths.push(path)
  }
  walk(doc.contents, [])
  for (const [i, path] of paths.entries()) {
    const c = NAMED[i % NAMED.length]!
    for (const [where, f] of [['before', (s: string) => c + s], ['after', (s: string) => s + c]] as const) {
      const d = parseDocument(text, { version: '1.1' })
      d.setIn(path, f(String(d.getIn(path))))
      yield [`${path.join('.')} ${where} ${JSON.stringify(c)}`, d.toString()]
    }
  }
}

/** A config with every kind of free value a unit or conf file gets: raw keys, exec, environment, annotations. */
const EVERY_VALUE = `
container:
  annotations: { note: hello }
  environment: { MODE: fast }
  sysctl: { net.ipv4.ping_group_range: "0 1" }
containers_conf:
  cgroup_conf: ["memory.high=max"]
bluechi:
  agent: { LogLevel: INFO, LogTarget: [journald] }
nested:
  - name: radio
    image: quay.io/x/radio
    pull: missing
    exec: run --fast
    environment: { A: b }
    unit: { Description: radio }
    container: { PodmanArgs: --log-level=info }
    service: { Restart: always }
    install: { WantedBy: multi-user.target }
`

Mutations('render gives a positioned error or output for each, never an exception', () => {
  let tried = 0
  const configs = [...exampleConfigs().map((name) => [name, readFileSync(join('examples', name), 'utf8')] as const), ['every-value', EVERY_VALUE] as const]
  for (const [name, text] of configs) {
    for (const [what, yaml] of mutated(text)) {
      let result
      try {
        result = render(Buffer.from(yaml), { file: join('examples', `${name}`) })
      } catch (e) {
        throw new Error(`${name}, ${what}: ${(e as Error).stack}`)
      }
      for (const e of result.errors) assert.ok(e.where && e.where.line >= 1, `${name} ${what}: positioned`)
      tried++
    }
  }
  assert.ok(tried >= 120, `${tried}`)
})

Class.run()
Mutations.run()
