/**
 * A TOML writer whose output is byte-identical to python tomli_w 1.0.0, the writer osbuild
 * uses on EL9+ build roots (stages/org.osbuild.containers.storage.conf). Integers are bigint
 * and floats are number, so `1` and `1.0` stay apart as they do in Python.
 */

export type TomlValue = string | boolean | bigint | number | TomlValue[] | TomlTable
export interface TomlTable {
  [key: string]: TomlValue
}

const INDENT = '    '
const MAX_LINE = 100

export function dumpToml(table: TomlTable): string {
  return [...tableChunks(table, '', false)].join('')
}

const isTable = (v: unknown): v is TomlTable => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A non-empty array whose items are all tables. */
const isArrayOfTables = (v: TomlValue): v is TomlTable[] => Array.isArray(v) && v.length > 0 && v.every(isTable)

const fitsInline = (t: TomlTable): boolean => {
  const line = `${INDENT}${inlineTable(t)},`
  return line.length <= MAX_LINE && !line.includes('\n')
}

function* tableChunks(table: TomlTable, name: string, inArray: boolean): Generator<string> {
  const literals: [string, TomlValue][] = []
  const tables: [string, TomlTable, boolean][] = []
  for (const [k, v] of Object.entries(table)) {
    if (isTable(v)) tables.push([k, v, false])
    else if (isArrayOfTables(v) && !v.every(fitsInline)) tables.push(...v.map((t): [string, TomlTable, boolean] => [k, t, true]))
    else literals.push([k, v])
  }
  let yielded = false
  if (inArray || (name && (literals.length > 0 || tables.length === 0))) {
    yielded = true
    yield inArray ? `[[${name}]]\n` : `[${name}]\n`
  }
  if (literals.length > 0) {
    yielded = true
    for (const [k, v] of literals) yield `${key(k)} = ${literal(v, 0)}\n`
  }
  for (const [k, v, aot] of tables) {
    if (yielded) yield '\n'
    else yielded = true
    yield* tableChunks(v, name ? `${name}.${key(k)}` : key(k), aot)
  }
}

function literal(v: TomlValue, nest: number): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (typeof v === 'bigint') return v.toString()
  if (typeof v === 'number') return pythonFloat(v)
  if (typeof v === 'string') return basicString(v)
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]'
    const items = v.map((item) => INDENT.repeat(nest + 1) + literal(item, nest + 1))
    return `[\n${items.join(',\n')},\n${INDENT.repeat(nest)}]`
  }
  return inlineTable(v)
}

function inlineTable(t: TomlTable): string {
  const entries = Object.entries(t)
  if (entries.length === 0) return '{}'
  return `{ ${entries.map(([k, v]) => `${key(k)} = ${literal(v, 0)}`).join(', ')} }`
}

const key = (k: string): string => (/^[A-Za-z0-9_-]+$/.test(k) ? k : basicString(k))

const ESCAPES: Record<string, string> = { '\b': '\\b', '\n': '\\n', '\f': '\\f', '\r': '\\r', '"': '\\"', '\\': '\\\\' }

function basicString(s: string): string {
  // Control characters except tab, the quote and the backslash are escaped; everything else is literal UTF-8.
  const body = s.replace(/[\u0000-\u0008\u000a-\u001f\u007f"\\]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return `"${body}"`
}

/** Python's repr() of a float: shortest round-trip digits, fixed notation for exponents -4..15. */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan'
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf'
  const sign = x < 0 || Object.is(x, -0) ? '-' : ''
  const [mantissa, expText] = Math.abs(x).toExponential().split('e') as [string, string]
  const digits = mantissa.replace('.', '')
  const exp = Number(expText)
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0')
  const frac = digits.slice(exp + 1)
  return `${sign}${whole}.${frac || '0'}`
}
