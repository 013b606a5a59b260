import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { parseDocument } from 'yaml'
import { readPlainYaml } from '../../src/config/plain-yaml.ts'
import { pyyamlTags } from '../../src/config/pyyaml.ts'

const ROOT = join(import.meta.dirname, '..', '..')

/** The value the yaml library reads, as loadConfig asks it to, or 'refused' when it reports an error. */
function library(text: string): unknown {
  const doc = parseDocument(text, { version: '1.1', customTags: pyyamlTags, uniqueKeys: true })
  if (doc.errors.length > 0 || doc.warnings.some((w) => w.code === 'TAG_RESOLVE_FAILED')) return 'refused'
  try {
    return doc.toJS({ maxAliasCount: 100 })
  } catch {
    return 'refused'
  }
}

/** The plain reader's answer must be the library's whenever it gives one. */
function agrees(text: string, label = JSON.stringify(text)): boolean {
  const fast = readPlainYaml(text)
  if (fast === undefined) return false
  const slow = library(text)
  assert.ok(slow !== 'refused', `${label}: the yaml library refuses what the plain reader read as ${JSON.stringify(fast.value)}`)
  // isDeepStrictEqual, not assert.equal: NaN (.nan) is equal to itself here
  assert.ok(isDeepStrictEqual(fast.value, slow), `${label}: read as ${JSON.stringify(fast.value)}, the yaml library reads ${JSON.stringify(slow)}`)
  return true
}

const Plain = suite('plain YAML reader')

Plain('every YAML file of the project reads as the yaml library reads it, or is left to it', () => {
  const files: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (/\.ya?ml$/.test(name)) files.push(path)
    }
  }
  for (const dir of ['examples', 'manifests', 'test']) walk(join(ROOT, dir))
  assert.ok(files.length > 100, String(files.length))
  const read = files.filter((f) => agrees(readFileSync(f, 'utf8'), f))
  // the reader is worth having only if the configs people write are in its subset
  assert.ok(read.length > files.length * 0.9, `${read.length} of ${files.length}`)
  for (const f of readdirSync(join(ROOT, 'examples')).filter((n) => n.endsWith('.qm.yaml'))) assert.ok(read.includes(join(ROOT, 'examples', f)), f)
})

Plain('a config of thousands of nested containers and files is read by it', () => {
  let text = 'nested:\n'
  for (let i = 0; i < 300; i++) text += `  - { name: app-${i}, image: quay.io/example/app-${i}:latest, pull: missing, oom_score_adjust: ${600 + i} }\n`
  text += 'content:\n  add_files:\n'
  for (let i = 0; i < 300; i++) text += `    - path: /etc/app/f-${i}.conf\n      text: |\n        setting = ${i}\n`
  assert.ok(agrees(text))
})

Plain('scalars resolve as PyYAML resolves them; what PyYAML reads as another type is left to the library', () => {
  const cases: [string, unknown][] = [
    ['a: 0755', { a: 493 }], ['a: 019', { a: '019' }], ['a: 1_000', { a: 1000 }], ['a: 1:20', { a: 80 }], ['a: e5', { a: 'e5' }],
    ['a: 1e5', { a: '1e5' }], ['a: 1.0e+5', { a: 100000 }], ['a: .inf', { a: Infinity }], ['a: -1', { a: -1 }], ['a: yes', { a: true }],
    ['a: y', { a: 'y' }], ['a: Off', { a: false }], ['a: ~', { a: null }], ['a:', { a: null }], ['a: "x\\ty\\u00e9"', { a: 'x\ty\u00e9' }],
    ["a: 'it''s'", { a: "it's" }], ['a: b#c', { a: 'b#c' }], ['a: b # c', { a: 'b' }], ['a: [1, "2", {b: c}]', { a: [1, '2', { b: 'c' }] }],
    ['a: |\n  x\n\n  y\n\n', { a: 'x\n\ny\n' }], ['a: |-\n  x\n', { a: 'x' }], ['a: |+\n  x\n\n', { a: 'x\n\n' }], ['- a: 1\n  b:\n  - 2\n', [{ a: 1, b: [2] }]],
  ]
  for (const [text, value] of cases) {
    assert.ok(agrees(text), text)
    assert.equal(readPlainYaml(text)!.value, value, text)
  }
  for (const text of ['a: 2024-01-02', 'a: =', '<<: {a: 1}', '__proto__: 1', 'yes: 1', '1: a', 'a: &x 1', 'a: *x', 'a: !!str 1', 'a: >\n  x\n', 'a: b\n  c\n',
    'a: 1\na: 2', 'a: [1, 2,]', 'a:\tb', 'a: "\\e"', '--- \na: 1', 'a: b: c', 'a: "x\n  y"', 'a: -x', '? a\n: b\n'])
    assert.is(readPlainYaml(text), undefined, text)
})

/** A generator of YAML-like texts built from the pieces the two readers could disagree on. */
function generated(seed: number, count: number): string[] {
  let state = seed
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!
  const SCALARS = ['x', 'a b', 'a:b', 'a: b', 'a #b', 'a#b', 'a:', '-x', '- x', '0755', '0o7', '019', '1_0', '1:20', '1.5', '.5', '-.inf', '.NaN', '1e5', '1.0e+5',
    '0x1F', '0b11', 'yes', 'No', 'ON', 'y', 'n', '~', 'null', '', '=', '<<', '2024-01-02', '"q"', '"a\\nb"', '"\\x41\\u00e9"', '"\\e"', '"\\/"', "'s''t'", "'#'",
    '"a" b', '[a, b]', '[]', '{}', '{a: 1, b: [c]}', '{a:1}', '[a, ]', '[a #c]', '&a x', '*a', '!x y', '|', '>', '%x', '@x', '`x', 'a  b', 'x # c', '"x" # c']
  const KEYS = ['k', 'key', 'a b', '"q k"', "'s'", 'yes', '1', '~', '<<', '__proto__', 'constructor', 'a:b', 'a#b', '-k', '"k"', 'x y:z']
  const block = (indent: number, depth: number): string[] => {
    const pad = ' '.repeat(indent)
    const lines: string[] = []
    const kind = depth > 2 ? 'map-scalars' : pick(['map', 'seq', 'map-scalars'])
    for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i++) {
      const value = (): string[] => {
        const r = random()
        if (depth < 3 && r < 0.25) return ['', ...block(indent + pick([1, 2, 4]), depth + 1)]
        if (r < 0.35) {
          const width = indent + pick([1, 2, 3])
          const body = ['line', '', 'two: x', '# not a comment', '  deeper', ' '].slice(0, 1 + Math.floor(random() * 6))
          return [` ${pick(['|', '|-', '|+', '| # c', '|2', '>'])}`, ...body.map((l) => (l === '' ? pick(['', ' '.repeat(width + 1)]) : ' '.repeat(width) + l))]
        }
        return [` ${pick(SCALARS)}`]
      }
      const [first, ...rest] = value()
      if (kind === 'seq') lines.push(`${pad}-${first}`, ...rest)
      else lines.push(`${pad}${pick(KEYS)}:${first}`, ...rest)
      if (random() < 0.1) lines.push(pick([`${pad}# comment`, '', `${pad} odd`, `${pad}  - stray`]))
    }
    return lines
  }
  return Array.from({ length: count }, () => block(0, 0).join('\n') + pick(['\n', '', '\n\n']))
}

Plain('on generated texts it answers only where the yaml library reads the same', () => {
  let read = 0
  for (const text of generated(20261203, 2000)) if (agrees(text)) read++
  // a generator that only ever produced refused texts would prove nothing
  assert.ok(read > 250, String(read))
})

Plain.run()
