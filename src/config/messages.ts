import type { ErrorObject } from 'ajv'
import type { ErrorCode } from '../errors.ts'

/** A schema violation in words, at a JSON Pointer; `atKey` when the key itself is wrong. */
export interface Issue {
  pointer: string
  message: string
  atKey?: boolean
}

/** A rule broken by a schema-valid config: an issue with the error code it is reported under. */
export interface Check extends Issue {
  code: ErrorCode
}

/** The schema keyword that says, in words, what a pattern or anyOf rule means. */
export const MESSAGE_KEYWORD = 'x-message'

/** How the config schema is compiled: strict, every error, schema in errors (for x-message), defaults filled. */
export const AJV_OPTIONS = { allErrors: true, strict: true, verbose: true, useDefaults: true } as const

type Schema = { [MESSAGE_KEYWORD]?: string; properties?: object; propertyNames?: unknown }

/** ajv errors (allErrors, verbose) as issues: one per problem, in plain words. */
export function describeErrors(errors: readonly ErrorObject[]): Issue[] {
  const anyOfAt = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath))
  const badKeys = errors.filter((e) => e.keyword === 'propertyNames')
  // errors raised while checking a key name carry the key as their data
  const isKeyCheck = (e: ErrorObject) =>
    e.keyword !== 'propertyNames' && badKeys.some((k) => k.instancePath === e.instancePath && k.params.propertyName === e.data)
  const issues: Issue[] = []
  for (const e of errors) {
    if (isKeyCheck(e)) continue
    // an anyOf failure is explained by its own message; its branches' errors are noise
    if (e.keyword !== 'anyOf' && anyOfAt.has(e.instancePath)) continue
    if (e.keyword === 'propertyNames') {
      const key = String(e.params.propertyName)
      const cause = errors.find((c) => c !== e && c.instancePath === e.instancePath && c.data === key)
      const why = cause ? describe(cause).message : 'is not allowed here'
      issues.push({ pointer: `${e.instancePath}/${escapeKey(key)}`, message: `key ${key} ${why.replace(/^must/, 'must')}`, atKey: true })
      continue
    }
    issues.push(describe(e))
  }
  return dedupe(issues)
}

function describe(e: ErrorObject): Issue {
  const at = e.instancePath
  const params = e.params as Record<string, unknown>
  const parent = (e.parentSchema ?? {}) as Schema
  switch (e.keyword) {
    case 'required':
      return { pointer: at, message: `missing required key ${String(params.missingProperty)}` }
    case 'additionalProperties': {
      const key = String(params.additionalProperty)
      const known = Object.keys(parent.properties ?? {})
      return { pointer: `${at}/${escapeKey(key)}`, message: `unknown key ${key}${suggest(key, known)}`, atKey: true }
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String)
      return { pointer: at, message: `must be one of ${allowed.join(', ')}${suggest(String(e.data), allowed)}` }
    }
    case 'pattern':
    case 'anyOf':
      return { pointer: at, message: parent[MESSAGE_KEYWORD] ?? `must match ${String(params.pattern ?? 'one of the allowed forms')}` }
    case 'type':
      return { pointer: at, message: `must be ${withArticle(String(params.type))}` }
    case 'minLength':
      return { pointer: at, message: params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long` }
    default:
      return { pointer: at, message: e.message ?? e.keyword }
  }
}

export const escapeKey = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1')
const withArticle = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`).replace(',', ' or ')

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>()
  return issues.filter((i) => {
    const key = `${i.pointer}\0${i.message}`
    return seen.has(key) ? false : (seen.add(key), true)
  })
}

/** " (did you mean X?)" when a known word is within a small edit distance. */
export function suggest(word: string, known: readonly string[]): string {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of known) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) [best, bestDistance] = [candidate, d]
  }
  const limit = Math.max(1, Math.floor(word.length / 3))
  return best !== undefined && bestDistance > 0 && bestDistance <= limit ? ` (did you mean ${best}?)` : ''
}

/** Optimal string alignment distance: edits, with a swap of neighbours counting as one. */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1)
    }
  }
  return d[a.length]![b.length]!
}
