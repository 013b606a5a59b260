// YAML as PyYAML (and so osbuild-mpp and automotive-image-builder) reads and writes it. The yaml library's
// YAML 1.1 schema resolves plain scalars more eagerly than PyYAML: `e5` is NaN to it, `1e5` a number and
// `019` an integer, where PyYAML reads all three as strings. Reading a config, qm-stage takes every plain
// scalar as PyYAML's resolver does (its regexes, PyYAML 6, yaml/resolver.py) and builds the value as
// PyYAML's SafeConstructor does; writing mpp output with the same tags quotes exactly the strings PyYAML
// would otherwise read as another type, and escapes what PyYAML cannot load or would read as a line break.

import type { Scalar, ScalarTag, Tags } from 'yaml'
import { stringTag } from 'yaml/util'

export const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/
export const FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/
export const TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/
export const FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/
export const NULL = /^(?:~|null|Null|NULL|)$/
const TIMESTAMP =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/
/** PyYAML resolves a plain `=` to tag:yaml.org,2002:value and a plain `<<` that is not a key to
 * tag:yaml.org,2002:merge, which safe_load cannot construct. */
const VALUE = /^(?:=|<<)$/

type OnError = (message: string) => void

/** Sign, then the rest: PyYAML strips '_' first and reads a leading '-' or '+'. */
function signed(text: string): [number, string] {
  const v = text.replaceAll('_', '')
  return v[0] === '-' ? [-1, v.slice(1)] : v[0] === '+' ? [1, v.slice(1)] : [1, v]
}

/** Base 60: `1:20` is 80, as PyYAML's construct_yaml_int and construct_yaml_float read it. */
const sexagesimal = (parts: number[]) => parts.reduce((sum, d) => sum * 60 + d, 0)

export function pyInt(text: string, onError: OnError): number {
  const [sign, v] = signed(text)
  let n: number
  if (v === '0') n = 0
  else if (v.startsWith('0b')) n = v.length > 2 ? parseInt(v.slice(2), 2) : NaN
  else if (v.startsWith('0x')) n = v.length > 2 ? parseInt(v.slice(2), 16) : NaN
  else if (v[0] === '0') n = parseInt(v, 8)
  else if (v.includes(':')) n = sexagesimal(v.split(':').map(Number))
  else n = Number(v)
  if (Number.isNaN(n)) onError(`${text} cannot be read as an integer (PyYAML refuses it too); quote it if it is text`)
  return n === 0 ? 0 : sign * n
}

export function pyFloat(text: string): number {
  const [sign, v] = signed(text.toLowerCase())
  if (v === '.inf') return sign * Infinity
  if (v === '.nan') return NaN
  if (v.includes(':')) return sign * sexagesimal(v.split(':').map(Number))
  return sign * Number(v)
}

const replace = (base: ScalarTag | undefined, patch: Partial<ScalarTag>): ScalarTag => ({ ...(base as ScalarTag), ...patch, default: true }) as ScalarTag

/** Characters PyYAML cannot load (outside its printable set), or reads as a line break inside a scalar, or drops. */
const PYYAML_UNSAFE = /[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]/u

/** A double-quoted scalar with every unsafe character as an escape PyYAML reads: \x, \u or \U. */
function escapedDoubleQuoted(value: string): string {
  let out = '"'
  for (const c of value) {
    if (c === '"' || c === '\\') out += `\\${c}`
    else if (!PYYAML_UNSAFE.test(c)) out += c
    else {
      const cp = c.codePointAt(0)!
      out += cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`
    }
  }
  return `${out}"`
}

/** Strings: written by the yaml library, except that anything holding an unsafe character is escaped in full. */
const pyyamlString: ScalarTag = {
  ...stringTag,
  stringify(item, ctx, onComment, onChompKeep) {
    const value = String((item as Scalar).value)
    if (PYYAML_UNSAFE.test(value)) return escapedDoubleQuoted(value)
    // the string tag's own stringify marks the value as a real string, so plain text PyYAML would resolve to
    // another type (by the tags above) is quoted
    return stringTag.stringify!(item, ctx, onComment, onChompKeep)
  },
}

/**
 * customTags for the yaml library (YAML 1.1): the plain-scalar resolution of PyYAML's SafeLoader, and
 * strings written so that PyYAML reads them back unchanged. Used to read configs and to write mpp output.
 */
export function pyyamlTags(tags: Tags): Tags {
  const find = (tag: string, format?: string) =>
    tags.find((t): t is ScalarTag => typeof t === 'object' && t.tag === tag && 'test' in t && t.test !== undefined && (t as ScalarTag).format === format)
  const implicit = new Set(['tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:null', 'tag:yaml.org,2002:timestamp'])
  const kept = tags.filter((t) => typeof t !== 'object' || !(implicit.has(t.tag) && 'test' in t && t.test) && t.tag !== 'tag:yaml.org,2002:str')
  const bools = tags.filter((t): t is ScalarTag => typeof t === 'object' && t.tag === 'tag:yaml.org,2002:bool' && 'test' in t && t.test !== undefined)
  // the merge tag claims the string '<<' when writing, and would write it plain (PyYAML reads that as a
  // merge key): only the merge key itself (a symbol) is its own; merging on reading is unaffected
  const withMerge = kept.map((t) =>
    typeof t === 'object' && t.tag === 'tag:yaml.org,2002:merge' ? { ...t, identify: (v: unknown) => typeof v === 'symbol' && v.description === '<<' } : t,
  )
  return [
    pyyamlString,
    ...withMerge,
    replace(find('tag:yaml.org,2002:null'), { test: NULL }),
    replace(bools.find((t) => t.test!.test('true')), { test: TRUE, resolve: () => true }),
    replace(bools.find((t) => t.test!.test('false')), { test: FALSE, resolve: () => false }),
    replace(find('tag:yaml.org,2002:int'), { test: INT, resolve: (s, onError) => pyInt(s, onError) }),
    replace(find('tag:yaml.org,2002:float'), { test: FLOAT, resolve: (s) => pyFloat(s) }),
    replace(find('tag:yaml.org,2002:timestamp'), { test: TIMESTAMP }),
    {
      tag: 'tag:yaml.org,2002:value',
      default: true,
      test: VALUE,
      resolve: (s, onError) => (onError(`a plain ${s} here is a YAML 1.1 special key that PyYAML cannot read; quote it: "${s}"`), s),
    } as ScalarTag,
  ]
}
