// Issue 9 E: YAML is read and written as PyYAML (osbuild-mpp, automotive-image-builder) reads it.
// The table holds what PyYAML 6's safe_load gives for each plain scalar (run with the real PyYAML,
// yaml/resolver.py and constructor.py); where this machine has PyYAML, a generated set of scalars
// and the mpp output of a config full of awkward strings are also checked against it live.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { parseDocument } from 'yaml'
import { pyyamlTags } from '../../src/config/pyyaml.ts'
import { loadConfig } from '../../src/config/load.ts'
import { render } from '../../src/render/render.ts'

const read = (scalar: string) => {
  const doc = parseDocument(`k: ${scalar}\n`, { version: '1.1', customTags: pyyamlTags })
  if (doc.errors.length) return { error: doc.errors[0]!.message }
  return (doc.toJS() as { k: unknown }).k
}

/** PyYAML 6 safe_load('k: <scalar>')['k'], as JSON (floats that are whole numbers are plain numbers here). */
const PYYAML: [string, unknown][] = [
  ['e5', 'e5'], ['1e5', '1e5'], ['1E5', '1E5'], ['1e+5', '1e+5'], ['1e-5', '1e-5'], ['1.5e3', '1.5e3'], ['.5e3', '.5e3'],
  ['1.5e+3', 1500], ['1.5E-3', 0.0015], ['.5e+3', 500], ['.5', 0.5], ['5.', 5], ['-.5', '-.5'], ['+.5', '+.5'], ['1.0e+', '1.0e+'],
  ['1_000', 1000], ['1_000.5', 1000.5], ['1__2', 12], ['_1', '_1'], ['1_', 1],
  ['0x1f', 31], ['0X1F', '0X1F'], ['0x_1f', 31], ['+0x1f', 31], ['0xg', '0xg'], ['0x', '0x'],
  ['0o17', '0o17'], ['017', 15], ['0017', 15], ['019', '019'], ['08', '08'], ['00', 0], ['0', 0], ['-0', 0], ['+0', 0], ['-1', -1], ['+1', 1],
  ['0b101', 5], ['-0b101', -5], ['0b_1', 1], ['0b', '0b'],
  ['1:20', 80], ['1:20:30', 4830], ['-1:20', -80], ['1:60', '1:60'], ['01:20', '01:20'], ['0:20', '0:20'], ['1:2:3:4', 223384],
  ['1:20.5', 80.5], ['190:20:30.15', 685230.15],
  ['.inf', Infinity], ['-.inf', -Infinity], ['+.inf', Infinity], ['.Inf', Infinity], ['.INF', Infinity], ['.NaN', NaN], ['.nan', NaN], ['.NAN', NaN],
  ['inf', 'inf'], ['nan', 'nan'], ['NaN', 'NaN'], ['Infinity', 'Infinity'], ['.', '.'], ['0.', 0], ['-0.0', -0], ['12e', '12e'], ['1.2.3', '1.2.3'], ['1,000', '1,000'],
  ['yes', true], ['Yes', true], ['YES', true], ['yEs', 'yEs'], ['y', 'y'], ['Y', 'Y'], ['n', 'n'], ['N', 'N'],
  ['on', true], ['ON', true], ['oN', 'oN'], ['off', false], ['true', true], ['True', true], ['tRUE', 'tRUE'],
  ['~', null], ['null', null], ['Null', null], ['NULL', null], ['nULL', 'nULL'],
]

const Read = suite('reading plain scalars as PyYAML does')

Read('every case of the table', () => {
  for (const [scalar, want] of PYYAML) {
    const got = read(scalar)
    if (typeof want === 'number' && Number.isNaN(want)) assert.ok(Number.isNaN(got), scalar)
    else assert.equal(got, want, scalar)
  }
})

Read('timestamps are dates (not strings) exactly where PyYAML makes them', () => {
  assert.instance(read('2024-01-01'), Date)
  assert.instance(read('2001-12-14t21:59:43.10-05:00'), Date)
  assert.is(read('2024-1-1'), '2024-1-1')
})

Read('a plain = cannot be read by PyYAML: a positioned YAML error, not a string', () => {
  const { errors } = loadConfig(Buffer.from('nested:\n  - { name: a, image: x, pull: always, exec: = }\n'), 'qm.yaml')
  assert.is(errors[0]?.code, 'YAML_SYNTAX')
  assert.match(errors[0]!.message, /quote it/)
})

Read('the config reader uses it: e5 is a string, 0x1f a number', () => {
  assert.equal(loadConfig(Buffer.from('node: e5\n')).errors, [])
  assert.equal(loadConfig(Buffer.from('oom_score_adjust: 0x1f\n')).config?.oom_score_adjust, 31)
  assert.equal(loadConfig(Buffer.from('oom_score_adjust: 1:20\n')).config?.oom_score_adjust, 80)
  assert.is(loadConfig(Buffer.from('oom_score_adjust: 1e2\n')).errors[0]?.pointer, '/oom_score_adjust')
})

const python = spawnSync('/usr/bin/python3', ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0

/** PyYAML's safe_load of each document, as JSON (NaN and infinities spelled out), or undefined without PyYAML. */
function pyyamlLoad(docs: string[]): unknown[] | undefined {
  if (!python) return undefined
  const script = `
import json, math, sys, yaml, datetime
def j(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)): return {'float': repr(v)}
    if isinstance(v, (datetime.date, datetime.datetime)): return {'date': str(v)}
    if isinstance(v, dict): return {str(k): j(x) for k, x in v.items()}
    if isinstance(v, list): return [j(x) for x in v]
    return v
out = []
for d in json.load(sys.stdin):
    try: out.append(j(yaml.safe_load(d)))
    except Exception as e: out.append({'error': type(e).__name__})
print(json.dumps(out))`
  const r = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(docs), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  assert.is(r.status, 0, r.stderr)
  return JSON.parse(r.stdout) as unknown[]
}

const js = (v: unknown): unknown => {
  if (typeof v === 'number' && !Number.isFinite(v)) return { float: Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf' }
  if (v instanceof Date) return 'date'
  if (Array.isArray(v)) return v.map(js)
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, js(x)]))
  return v
}

Read('a generated set of number-like scalars reads as real PyYAML reads it', () => {
  // every scalar of up to 3 characters over the characters numbers are made of, and longer ones sampled
  const alphabet = ['0', '1', '7', '9', '.', '_', ':', '-', '+', 'e', 'E', 'x', 'b', 'o']
  const scalars: string[] = []
  const grow = (prefix: string, depth: number) => {
    if (prefix) scalars.push(prefix)
    if (depth === 0) return
    for (const c of alphabet) grow(prefix + c, depth - 1)
  }
  grow('', 3)
  let seed = 9
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31)
  for (let i = 0; i < 4000; i++) scalars.push(Array.from({ length: 5 + Math.floor(rand() * 4) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join(''))
  const docs = scalars.map((s) => `k: ${s}\n`)
  const theirs = pyyamlLoad(docs)
  if (!theirs) return console.log('\n  (skipped the live comparison: no PyYAML on this machine)')
  let compared = 0
  scalars.forEach((s, i) => {
    const their = theirs[i] as { error?: string } | { k: unknown }
    const doc = parseDocument(docs[i]!, { version: '1.1', customTags: pyyamlTags })
    // both refuse it (a different reason is fine); `-`-led scalars such as '- 1' are sequences, not scalars
    if ('error' in their || doc.errors.length > 0) return assert.ok('error' in their && doc.errors.length > 0 || /^[-:]/.test(s) || s.includes(': '), `${s}: PyYAML ${JSON.stringify(their)}, ours ${doc.errors[0]?.message}`)
    const ours = js((doc.toJS() as { k: unknown }).k)
    const want = (their as { k: unknown }).k
    assert.equal(ours, typeof want === 'object' && want !== null && 'date' in want ? 'date' : want, `${JSON.stringify(s)}`)
    compared++
  })
  assert.ok(compared > 5000, `${compared}`)
})

const Write = suite('mpp output PyYAML can load')

/** Strings of every class PyYAML treats specially, as symlink targets (any text) and file paths. */
const AWKWARD = [
  'a\u2028b', 'a\u2029b', 'a\u00a0b', 'a\ufeffb', 'a\ufffeb', 'a\uffffb', 'tab\there', 'x\u{1f600}y', 'a\u200bb',
  'e5', '1e5', '019', '0o17', '1:20', '0x1f', '1_000', '.inf', '.nan', 'yes', 'no', 'on', 'off', 'y', 'n', '~', 'null', '2024-01-01', '=', '<<',
  '-', '- a', '? x', ': y', '# not a comment', '&anchor', '*alias', '!tag', '%directive', '@at', '`tick', '"quoted"', "'single'", '{a: 1}', '[1]', 'a: b', 'a #b',
]

Write('a config full of awkward strings renders mpp output that PyYAML loads back as the same data', () => {
  const links = AWKWARD.map((t, i) => `    - { link: /etc/l${i}, target: ${JSON.stringify(t)} }`).join('\n')
  const files = ['/etc/a\u2028b', '/etc/p\u2029q', '/usr/share/x\u00a0y', '/etc/e5', '/etc/\ufeffbom', '/etc/z\ufffe'].map((p) => `    - { path: ${JSON.stringify(p)}, text: "x" }`).join('\n')
  // policy given: the stages and mpp outputs then hold the same pipeline
  const config = Buffer.from(`policy: targeted\ncontent:\n  add_symlinks:\n${links}\n  add_files:\n${files}\n  chmod_files:\n    - { path: "/etc/a\\u2028b", mode: "0600" }\n`)
  const mpp = render(config, { format: 'mpp', file: 'qm.yaml' })
  assert.equal(mpp.errors, [], mpp.errors.map((e) => e.message).join('\n'))
  const stages = JSON.parse(render(config, { format: 'stages', file: 'qm.yaml' }).output!) as { pipelines: unknown; host_stages: unknown }
  // the text itself holds nothing PyYAML refuses or reads as a line break
  assert.not.match(mpp.output!, /[\u0085\u2028\u2029\ufeff\ufffe\uffff\t]/)
  const [loaded] = pyyamlLoad([mpp.output!]) ?? []
  if (loaded === undefined) return console.log('\n  (skipped loading with PyYAML: not on this machine)')
  const doc = loaded as { pipelines: unknown; 'mpp-vars': { qm_host_stages: unknown } }
  assert.equal(doc.pipelines, stages.pipelines)
  assert.equal(doc['mpp-vars'].qm_host_stages, stages.host_stages)
})

Read.run()
Write.run()
