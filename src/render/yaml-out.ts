// The mpp output as YAML: the bytes the yaml library writes for it (YAML 1.1, PyYAML's tags, no line folding,
// no aliases), written directly. Building a yaml Document of a large plan and stringifying it node by node
// cost more than everything else render does at thousands of units; here each plain string, number and
// boolean is written as yaml writes it in a block collection, and whatever is not one of those (a string
// that needs quoting or escaping, a null, an odd value) goes through the yaml library itself, pair by pair,
// shifted to its indentation. test/render/yaml-out.test.ts compares both on every example and on generated
// documents.
import { Document, stringify } from 'yaml'
import { pyyamlTags } from '../config/pyyaml.ts'

export const MPP_YAML_OPTIONS = { version: '1.1', customTags: pyyamlTags, lineWidth: 0, aliasDuplicateObjects: false } as const

const yaml = (value: unknown) => stringify(value, MPP_YAML_OPTIONS)

/** The plain-scalar rules of the yaml library's stringifyString (plainString), for one line of printable text. */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m
/** Anything outside printable ASCII goes through the library (PyYAML's escapes, control characters). */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/

let schemaTests: RegExp[] | undefined
/** The implicit tags a plain string would be read as, from the schema these options give (yaml's own test). */
function tests(): RegExp[] {
  if (!schemaTests) {
    const { tags, compat } = new Document(null, MPP_YAML_OPTIONS).schema
    schemaTests = [...tags, ...(compat ?? [])]
      .filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && 'test' in t && t.test instanceof RegExp)
      .map((t) => (t as { test: RegExp }).test)
  }
  return schemaTests
}

const plainCache = new Map<string, boolean>()
const WHOLE = new Error('the whole document through the library')
/** Whether yaml writes this string plain, as itself, as a value in a block collection (and as a key, when short). */
function isPlain(s: string): boolean {
  let plain = plainCache.get(s)
  if (plain === undefined) {
    // the library's choice for these depends on the indentation (a key one level in is quoted): it writes the whole document
    if (DOCUMENT_MARKER.test(s)) throw WHOLE

    plain = PRINTABLE_ASCII.test(s) && !NOT_PLAIN.test(s) && !tests().some((t) => (t.lastIndex = 0, t.test(s)))
    if (s.length <= 256 && plainCache.size < 100_000) plainCache.set(s, plain)
  }
  return plain
}

const scalarCache = new Map<unknown, string>()
/** A number or boolean as yaml writes it (no context changes how), or undefined for anything else to defer. */
function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return isPlain(v) ? v : undefined
  if (typeof v === 'boolean' || (typeof v === 'number' && Number.isSafeInteger(v) && !Object.is(v, -0))) {
    let s = scalarCache.get(v)
    if (s === undefined) {
      s = yaml(v).slice(0, -1)
      scalarCache.set(v, s)
    }
    return s
  }
  return undefined
}

const isObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** yaml's text for one value of a collection, indented by `indent`; undefined when the value needs the library. */
class Writer {
  out: string[] = []

  /** `text` (yaml's output at indentation 0) with every line shifted by `indent`. */
  private shifted(text: string, indent: string) {
    const lines = text.slice(0, -1).split('\n')
    for (const l of lines) this.out.push(indent + l)
  }

  /** A block map's pairs at `indent`; false when the map itself must be written by the library. */
  map(v: Record<string, unknown>, indent: string): boolean {
    const keys = Object.keys(v)
    // yaml leaves out undefined values (and a key longer than 1024 is an explicit `? key`); a map of null values is written as a set (`? key`): the library's
    for (const k of keys) if (v[k] === null || typeof v[k] === 'function' || typeof v[k] === 'symbol') return false
    for (const k of keys) {
      const value = v[k]
      if (value === undefined) continue
      const mark = this.out.length
      if (k.length > 1000 || !isPlain(k) || !this.value(`${indent}${k}:`, value, indent)) {
        this.out.length = mark
        this.shifted(yaml({ [k]: value }), indent)
      }
    }
    return true
  }

  /** A block sequence's items at `indent`; false when the sequence must be written by the library. */
  seq(v: unknown[], indent: string): boolean {
    for (const item of v) {
      if (item === undefined || item === null || typeof item === 'function' || typeof item === 'symbol') return false
    }
    for (const item of v) {
      const mark = this.out.length
      if (!this.item(item, indent)) {
        this.out.length = mark
        this.shifted(yaml([item]), indent)
      }
    }
    return true
  }

  /** `head` (a key and its colon) and the value after it; false to defer the pair to the library. */
  private value(head: string, value: unknown, indent: string): boolean {
    const s = scalar(value)
    if (s !== undefined) return (this.out.push(`${head} ${s}`), true)
    const inner = `${indent}  `
    if (Array.isArray(value)) {
      if (value.length === 0) return (this.out.push(`${head} []`), true)
      this.out.push(head)
      return this.seq(value, inner)
    }
    if (isObject(value)) {
      if (Object.values(value).every((x) => x === undefined)) return (this.out.push(`${head} {}`), true)
      this.out.push(head)
      return this.map(value, inner)
    }
    return false
  }

  /** One sequence item `- ...` at `indent`; false to defer it to the library. */
  private item(item: unknown, indent: string): boolean {
    const s = scalar(item)
    if (s !== undefined) return (this.out.push(`${indent}- ${s}`), true)
    const inner = `${indent}  `
    const first = this.out.length
    if (Array.isArray(item)) {
      if (item.length === 0) return (this.out.push(`${indent}- []`), true)
      if (!this.seq(item, inner)) return false
    } else if (isObject(item)) {
      if (Object.values(item).every((x) => x === undefined)) return (this.out.push(`${indent}- {}`), true)
      if (!this.map(item, inner)) return false
    } else return false
    // the collection's first line goes on the dash's
    this.out[first] = `${indent}- ${this.out[first]!.slice(inner.length)}`
    return true
  }
}

/** `stringify(doc, MPP_YAML_OPTIONS)` for a document of plain data (maps, sequences, strings, numbers, booleans). */
export function mppYaml(doc: Record<string, unknown>): string {
  const w = new Writer()
  try {
    if (!isObject(doc) || !w.map(doc, '') || w.out.length === 0) return yaml(doc)
  } catch (e) {
    if (e === WHOLE) return yaml(doc)
    throw e
  }
  return `${w.out.join('\n')}\n`
}
