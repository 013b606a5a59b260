// The mpp output's YAML writer (src/render/yaml-out.ts) gives the bytes the yaml library gives for the same
// document and options: on every example, on random valid configs, and on generated documents made of the
// strings and shapes where the library quotes, escapes, omits or writes a set instead of a map.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import { exampleConfigs, EXAMPLES_DIR } from '../../scripts/examples.ts'
import { mppDocument } from '../../src/render/formats.ts'
import { render } from '../../src/render/render.ts'
import { MPP_YAML_OPTIONS, mppYaml } from '../../src/render/yaml-out.ts'
import { random, randomConfig } from '../_helpers/random-config.ts'

const Writer = suite('mpp YAML writer')

const library = (doc: Record<string, unknown>) => stringify(doc, MPP_YAML_OPTIONS)

Writer('every example and 40 random configs: the library\'s bytes', () => {
  const configs = [
    ...exampleConfigs().map((name) => ({ file: join(EXAMPLES_DIR, name), bytes: readFileSync(join(EXAMPLES_DIR, name)) })),
    ...Array.from({ length: 40 }, (_, i) => ({ file: `random-${i}.qm.yaml`, bytes: Buffer.from(stringify(randomConfig(7000 + i), { version: '1.1' })) })),
  ]
  for (const { file, bytes } of configs) {
    const { plan, errors } = render(bytes, { file })
    assert.ok(plan, `${file}: ${errors.map((e) => e.message).join('; ')}`)
    const doc = mppDocument(plan!)
    assert.fixture(mppYaml(doc), library(doc), file)
  }
})

/** Strings the library writes quoted, escaped, or plain only in some places. */
const TRICKY = [
  '', ' ', 'a b', ' lead', 'trail ', 'x:', 'a: b', 'a:b', 'a #b', 'a#b', '#x', '- x', '-', '?', '? x', '-x', ':x', '[x]', '{x}', 'a,b', '&a', '*a', '!t', '|', '>',
  "'q'", '"q"', 'say "hi"', "it's", 'both \' and "', '%x', '@x', '`x', '---', '--- x', '...', 'a\n---', 'y', 'n', 'yes', 'No', 'on', 'OFF', 'true', 'False', '~', 'null', 'NULL',
  '1', '-1', '+1', '0o7', '017', '019', '0x1F', '0b101', '1_000', '1:20', '1.5', '.5', '1e5', 'e5', '1.0e+5', '.inf', '-.Inf', '.nan', '2026-12-02', '2026-12-02 10:00:00', '=', '<<',
  'tab\tinside', 'new\nline', 'two\n\nlines', 'trail\n', '\x7f', '\x85', 'grüße', '\u2028', '😀', '\ud800', 'back\\slash', '$HOME', 'name:qm_rootfs', 'input://files/sha256:ab',
  'x'.repeat(1100), `${'k'.repeat(1030)}`, '__proto__', 'constructor', 'sha256:1df2',
]

function tricky(seed: number): Record<string, unknown> {
  const r = random(seed)
  const leaf = (): unknown =>
    r.pick<() => unknown>([
      () => r.pick(TRICKY),
      () => r.word(),
      () => r.int(-5, 5000),
      () => r.pick([0.5, -0, 1e21, Number.MAX_SAFE_INTEGER + 2, NaN, Infinity, -Infinity]),
      () => r.chance(0.5),
      () => (r.chance(0.3) ? null : undefined),
    ])()
  const value = (depth: number): unknown => {
    if (depth > 3 || r.chance(0.4)) return leaf()
    if (r.chance(0.5)) return r.some(4, () => value(depth + 1))
    const o: Record<string, unknown> = {}
    for (let i = r.int(0, 4); i > 0; i--) {
      const k = r.chance(0.6) ? r.word() : String(r.pick(TRICKY))
      Object.defineProperty(o, k, { value: value(depth + 1), enumerable: true, writable: true, configurable: true })
    }
    return o
  }
  const doc: Record<string, unknown> = {}
  for (let i = r.int(1, 5); i > 0; i--) doc[r.word()] = value(0)
  return doc
}

Writer('400 generated documents of awkward strings, numbers, nulls and empty collections', () => {
  for (let seed = 1; seed <= 400; seed++) {
    const doc = tricky(seed)
    assert.fixture(mppYaml(doc), library(doc), `seed ${seed}`)
  }
})

Writer('each tricky string as a key and as a value, at every depth the mpp output has', () => {
  for (const s of TRICKY) {
    const doc = { top: s, [s]: 'v', list: [s, [s], { [s]: s, k: 1 }], deep: { a: { b: [{ c: s, d: [s] }] } } }
    assert.fixture(mppYaml(doc), library(doc), JSON.stringify(s))
  }
})

Writer('what it writes reads back as the document', () => {
  const { plan } = render(readFileSync(join(EXAMPLES_DIR, exampleConfigs()[0]!)), { file: 'x.qm.yaml' })
  const doc = mppDocument(plan!)
  assert.equal(parse(mppYaml(doc), { version: '1.1' }), JSON.parse(JSON.stringify(doc)))
})

Writer.run()
