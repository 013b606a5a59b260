// A fast reader for the plain YAML configs are written in: block mappings and sequences, one-line flow
// collections, one-line plain and quoted scalars, comments. The yaml library reads a large config ten times
// slower (its lexer and composer run once per character and node, cold), and a config of thousands of nested
// containers spends most of `render` there. Anything outside this subset (anchors, tags, block scalars,
// multi-line scalars, documents, merge keys, duplicate keys, tabs, unusual characters or escapes, a scalar
// PyYAML would not read as a string, number, boolean or null) gives `undefined`, and the yaml library reads
// the file as before: this reader only ever answers where the two agree (test/config/plain-yaml.test.ts
// compares them on every config in the project and on generated ones).

import { FALSE, FLOAT, INT, NULL, pyFloat, pyInt, TRUE } from './pyyaml.ts'

/** Characters this reader takes as they are: printable ASCII and most of the Basic Multilingual Plane. */
const PLAIN_TEXT = /^[\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*$/

/** What a plain scalar may not start with (YAML's indicators), and what may not follow it on its line. */
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/
/** Plain scalars are refused when they hold ': ' or ' #' (a value and a comment), or end in ':'. */
const BLOCK_PLAIN = /^[^#:]*(?:(?::(?=[^ ])|(?<! )#)[^#:]*)*$/

const FLOW_RUN = /(?:[^,[\]{}:#]|:(?=[^ ,[\]{}])|(?<! )#)+/y

const MAX_DEPTH = 64
/** The yaml library refuses an implicit key longer than 1024 characters. */
const MAX_KEY = 1000

class Refused extends Error {}
const refuse = (): never => {
  throw new Refused()
}

interface Line {
  indent: number
  text: string
  /** its index among all lines, blank and comment lines included */
  row: number
}

/** The config's value, or undefined when the text is not in the subset this reader knows. */
export function readPlainYaml(text: string): { value: unknown } | undefined {
  if (!PLAIN_TEXT.test(text)) return undefined
  const rows = text.split('\n')
  if (text.endsWith('\n')) rows.pop()
  const lines: Line[] = []
  for (let row = 0; row < rows.length; row++) {
    const raw = rows[row]!
    const body = raw.trimStart()
    if (body === '' || body[0] === '#') continue
    if (/^(---|\.\.\.)( |$)/.test(raw) || raw[0] === '%') return undefined
    lines.push({ indent: raw.length - body.length, text: body.trimEnd(), row })
  }
  try {
    if (lines.length === 0) return { value: null }
    const reader = new Reader(lines, rows)
    const value = reader.node(0, 0)
    return reader.at === lines.length ? { value } : undefined
  } catch (e) {
    if (e instanceof Refused || e instanceof RangeError) return undefined
    throw e
  }
}

class Reader {
  at = 0
  readonly lines: Line[]
  readonly rows: string[]
  constructor(lines: Line[], rows: string[]) {
    this.lines = lines
    this.rows = rows
  }

  /** The block node starting at the current line, whose indentation is at least `min`. */
  node(min: number, depth: number): unknown {
    const line = this.lines[this.at]
    if (!line || line.indent < min) return null
    if (depth > MAX_DEPTH) refuse()
    if (isDash(line.text)) return this.sequence(line.indent, depth)
    if (line.text[0] === '{' || line.text[0] === '[') {
      if (this.at !== 0) refuse() // a flow collection on its own line is only read as the whole document
      this.at++
      return whole(line.text, flowValue)
    }
    return this.mapping(line.indent, depth)
  }

  sequence(indent: number, depth: number): unknown[] {
    const items: unknown[] = []
    for (let line = this.lines[this.at]; line && line.indent === indent && isDash(line.text); line = this.lines[this.at]) {
      const rest = line.text.slice(1).trimStart()
      if (rest === '') {
        this.at++
        items.push(this.child(indent, depth))
      } else {
        // `- key: value` and `- - item` start a node at the column of what follows the dash
        line.indent += line.text.length - rest.length
        line.text = rest
        const block = isDash(rest) || (rest[0] !== '{' && rest[0] !== '[' && keyEnd(rest) !== undefined)
        items.push(block ? this.node(line.indent, depth + 1) : this.inline(line, indent))
      }
    }
    const next = this.lines[this.at]
    if (next && next.indent > indent) refuse()
    return items
  }

  mapping(indent: number, depth: number): Record<string, unknown> {
    const map: Record<string, unknown> = {}
    for (let line = this.lines[this.at]; line && line.indent === indent; line = this.lines[this.at]) {
      if (isDash(line.text)) break
      const end = keyEnd(line.text) ?? refuse()
      const key = keyOf(line.text.slice(0, end))
      if (Object.hasOwn(map, key)) refuse()
      const rest = line.text.slice(end + 1).trimStart()
      if (rest === '' || rest[0] === '#') {
        this.at++
        // a block sequence may sit at its key's own indentation
        const next = this.lines[this.at]
        map[key] = next && next.indent === indent && isDash(next.text) ? this.sequence(indent, depth + 1) : this.child(indent, depth)
      } else {
        line.text = rest
        map[key] = this.inline(line, indent)
      }
    }
    const next = this.lines[this.at]
    if (next && next.indent > indent) refuse()
    return map
  }

  /** The block node below a line of `indent` (more indented), or null when there is none. */
  child(indent: number, depth: number): unknown {
    const next = this.lines[this.at]
    return next && next.indent > indent ? this.node(indent + 1, depth + 1) : null
  }

  /** A value on the rest of a line: a literal block scalar, a one-line flow collection or scalar; no line below may continue it. */
  inline(line: Line, indent: number): unknown {
    const literal = LITERAL.exec(line.text)
    if (literal) return this.literal(line.row, indent, literal[1] as Chomping)
    this.at++
    const next = this.lines[this.at]
    if (next && next.indent > indent) refuse()
    return whole(line.text, (s) => (s.text[0] === '{' || s.text[0] === '[' ? flowValue(s) : scalarInBlock(s)))
  }


  /**
   * The lines of a literal block scalar (`|`, `|-`, `|+`) after `row`, more indented than its key or dash: indented
   * as the first line that is not blank, blank lines kept, the final line breaks as the chomping indicator says.
   */
  literal(row: number, indent: number, chomping: Chomping): string {
    let width: number | undefined
    let end = row + 1
    for (; end < this.rows.length; end++) {
      const raw = this.rows[end]!
      const spaces = raw.length - raw.trimStart().length
      if (spaces === raw.length) continue
      width ??= spaces
      if (spaces < width) {
        // a line between the key's and the scalar's indentation: the yaml library reads some, refuses others
        if (spaces > indent) refuse()
        break
      }
    }
    if (width === undefined || width <= indent) refuse()
    // a line that is not blank is longer than the indentation; a blank one may be shorter
    const body = this.rows.slice(row + 1, end).map((raw) => (raw.length > width! ? raw.slice(width) : ''))
    const first = body.findIndex((l) => l.trim() !== '')
    // a blank line before the first that is not, longer than its indentation, is refused by the yaml library
    if (this.rows.slice(row + 1, row + 1 + first).some((raw) => raw.length > width!)) refuse()
    // lines of spaces beyond the indentation are content; only empty ones are the final line breaks
    let last = body.length - 1
    while (body[last] === '' && last > first) last--
    const text = body.slice(0, last + 1).join('\n')
    while (this.lines[this.at] && this.lines[this.at]!.row < end) this.at++
    if (chomping === '-') return text
    if (chomping === '') return `${text}\n`
    return `${text}\n${body.slice(last + 1).map((l) => `${l}\n`).join('')}`
  }
}

type Chomping = '' | '-' | '+'
const LITERAL = /^\|([-+]?)(?: +#.*)?$/

const isDash = (text: string) => text === '-' || text.startsWith('- ')

/** Where the `:` of a `key: value` line is, or undefined when the line is not one. */
function keyEnd(text: string): number | undefined {
  let end: number
  if (text[0] === '"' || text[0] === "'") {
    const close = quotedEnd(text, 0)
    end = close + 1
  } else {
    end = text.search(/:( |$)/)
    if (end <= 0) return undefined
  }
  if (text[end] !== ':' || (end + 1 < text.length && text[end + 1] !== ' ')) return undefined
  if (end > MAX_KEY) refuse()
  return end
}

/** A mapping key: a quoted string, or a plain one that PyYAML reads as a string. */
function keyOf(raw: string): string {
  const key = raw[0] === '"' || raw[0] === "'" ? unquote(raw) : plainKey(raw.trimEnd())
  // '__proto__' and '<<' mean other things to a JavaScript object and to YAML 1.1
  if (key === '__proto__' || key === '<<') refuse()
  return key
}

function plainKey(raw: string): string {
  if (INDICATOR.test(raw) || !BLOCK_PLAIN.test(raw) || typeof resolvePlain(raw) !== 'string') refuse()
  return raw
}

/** Reads all of `text` with `read`; only a comment may follow. */
function whole<T>(text: string, read: (s: Scan) => T): T {
  const s: Scan = { text, at: 0 }
  const value = read(s)
  const rest = text.slice(s.at)
  if (rest !== '' && !/^ +#/.test(rest)) refuse()
  return value
}

interface Scan {
  text: string
  at: number
}

/** A one-line plain or quoted scalar outside flow collections. */
function scalarInBlock(s: Scan): unknown {
  const c = s.text[s.at]
  if (c === '"' || c === "'") return quoted(s)
  const comment = s.text.indexOf(' #', s.at)
  const raw = s.text.slice(s.at, comment === -1 ? undefined : comment).trimEnd()
  s.at += raw.length
  if (!BLOCK_PLAIN.test(raw) || (INDICATOR.test(raw) && !isNumber(raw)) || raw.endsWith(':')) refuse()
  return resolvePlain(raw)
}

/** A flow collection, `[...]` or `{...}`, entirely on this line. */
function flowValue(s: Scan, depth = 0): unknown {
  if (depth > MAX_DEPTH) refuse()
  const open = s.text[s.at]
  const close = open === '[' ? ']' : '}'
  s.at++
  const items: unknown[] = []
  const map: Record<string, unknown> = {}
  skipSpaces(s)
  while (s.text[s.at] !== close) {
    if (open === '[') items.push(flowItem(s, depth))
    else {
      const key = flowKey(s)
      if (Object.hasOwn(map, key)) refuse()
      skipSpaces(s)
      if (s.text[s.at] !== ':') refuse()
      s.at++
      if (s.text[s.at] !== ' ') refuse()
      skipSpaces(s)
      map[key] = flowItem(s, depth)
    }
    skipSpaces(s)
    if (s.text[s.at] === ',') {
      s.at++
      skipSpaces(s)
      // a trailing comma: the yaml library and PyYAML might not agree on it
      if (s.text[s.at] === close) refuse()
    } else if (s.text[s.at] !== close) refuse()
  }
  s.at++
  return open === '[' ? items : map
}

function flowItem(s: Scan, depth: number): unknown {
  const c = s.text[s.at]
  if (c === '[' || c === '{') return flowValue(s, depth + 1)
  if (c === '"' || c === "'") return quoted(s)
  const raw = flowPlain(s)
  if (INDICATOR.test(raw) && !isNumber(raw)) refuse()
  return resolvePlain(raw)
}

function flowKey(s: Scan): string {
  const c = s.text[s.at]
  const key = c === '"' || c === "'" ? (quoted(s) as string) : plainKey(flowPlain(s))
  if (key === '__proto__' || key === '<<' || key.length > MAX_KEY) refuse()
  return key
}

/** A plain scalar in a flow collection: up to the next `,`, `]`, `}` or `: `. */
function flowPlain(s: Scan): string {
  // sticky, from s.at: slicing the rest of the line for every item would be quadratic in a long flow collection
  FLOW_RUN.lastIndex = s.at
  const raw = (FLOW_RUN.exec(s.text)?.[0] ?? '').trimEnd()
  if (raw === '') refuse()
  s.at += raw.length
  return raw
}

const skipSpaces = (s: Scan) => {
  while (s.text[s.at] === ' ') s.at++
}

/** Index of the quote that closes the quoted scalar opening at `from`. */
function quotedEnd(text: string, from: number): number {
  const q = text[from]
  for (let i = from + 1; i < text.length; i++) {
    if (q === "'" && text[i] === "'") {
      if (text[i + 1] === "'") i++
      else return i
    } else if (q === '"' && text[i] === '\\') i++
    else if (q === '"' && text[i] === '"') return i
  }
  return refuse()
}

function quoted(s: Scan): string {
  const end = quotedEnd(s.text, s.at)
  const value = unquote(s.text.slice(s.at, end + 1))
  s.at = end + 1
  return value
}

/** The escapes of double-quoted scalars this reader decodes; any other is left to the yaml library. */
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', n: '\n', t: '\t', r: '\r', '0': '\0', ' ': ' ' }

function unquote(raw: string): string {
  if (raw[0] === "'") return raw.slice(1, -1).replaceAll("''", "'")
  return raw.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length > 1) {
      const code = parseInt(e.slice(1), 16)
      if (code >= 0xd800 && code <= 0xdfff) refuse()
      return String.fromCharCode(code)
    }
    return Object.hasOwn(ESCAPES, e) ? ESCAPES[e]! : refuse()
  })
}

const isNumber = (raw: string) => INT.test(raw) || FLOAT.test(raw)

/** A plain scalar as PyYAML resolves it; anything it reads as another type (timestamps, `=`) is refused. */
function resolvePlain(raw: string): unknown {
  if (NULL.test(raw)) return null
  if (TRUE.test(raw)) return true
  if (FALSE.test(raw)) return false
  if (INT.test(raw)) {
    let bad = false
    const n = pyInt(raw, () => (bad = true))
    return bad ? refuse() : n
  }
  if (FLOAT.test(raw)) return pyFloat(raw)
  if (/^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/.test(raw) || raw === '=' || raw === '<<') refuse()
  return raw
}
