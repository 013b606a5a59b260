/**
 * SELinux file_contexts as setfiles(8) reads them through libselinux's file backend:
 * `REGEX [TYPE] CONTEXT` lines, anchored regexes, specs without regex metacharacters
 * ranked above all regex specs, and among equals the last one in the file wins.
 */

import { own } from '../own.ts'

export type FileKind = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket'

export interface Spec {
  regex: string
  kind: FileKind | undefined
  context: string
  /** The spec is a plain path (no regex metacharacters), which libselinux tries first. */
  exact: boolean
  match: RegExp
}

export interface FileContexts {
  specs: Spec[]
  /**
   * Path prefix substitutions, one list per file in the order they apply (file_contexts.subs,
   * then .subs_dist); within a list the last line that matches wins.
   */
  subs: [string, string][][]
}

const KINDS: Record<string, Spec['kind']> = {
  '--': 'file',
  '-d': 'dir',
  '-l': 'symlink',
  '-c': 'char',
  '-b': 'block',
  '-s': 'socket',
  '-p': 'fifo',
}

/** Parse one file_contexts file. `name` is for messages. Duplicate regexes (same or overlapping type) are an error, as in setfiles. */
export function parseSpecs(text: string, name: string): Spec[] {
  const specs: Spec[] = []
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const fields = line.split(/\s+/)
    if (fields.length < 2 || fields.length > 3) throw new Error(`${name}: line ${i + 1} is missing fields`)
    const [regex, kindField, context] = fields.length === 3 ? (fields as [string, string, string]) : [fields[0]!, undefined, fields[1]!]
    let kind: Spec['kind']
    if (kindField !== undefined) {
      kind = own(KINDS, kindField)
      if (!kind) throw new Error(`${name}: line ${i + 1} has invalid file type ${kindField}`)
    }
    let match: RegExp
    try {
      match = new RegExp(`^(?:${regex})$`, 's')
    } catch (e) {
      throw new Error(`${name}: line ${i + 1} has invalid regex ${regex}: ${(e as Error).message}`)
    }
    specs.push({ regex, kind, context, exact: !hasMeta(regex), match })
  })
  for (let i = 0; i < specs.length; i++) {
    for (let j = i + 1; j < specs.length; j++) {
      const [a, b] = [specs[i]!, specs[j]!]
      if (a.regex === b.regex && (a.kind === undefined || b.kind === undefined || a.kind === b.kind)) {
        const what = a.context === b.context ? 'Multiple same specifications' : 'Multiple different specifications'
        throw new Error(`${name}: ${what} for ${a.regex}`)
      }
    }
  }
  return specs
}

/** libselinux's test: the first unescaped `.^$?*+|[({` makes a spec a regex. */
function hasMeta(regex: string): boolean {
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i]!
    if (c === '\\') i++
    else if ('.^$?*+|[({'.includes(c)) return true
  }
  return false
}

/** One substitution file: `FROM TO` per line. */
export function parseSubs(text: string): [string, string][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(/\s+/) as [string, string])
    .filter((f) => f.length >= 2)
    .map(([from, to]) => [from, to])
}

/** Rewrite a path whose leading directories are FROM to start with TO instead. */
function substitute(path: string, subs: readonly [string, string][]): string {
  for (let i = subs.length - 1; i >= 0; i--) {
    const [from, to] = subs[i]!
    if (path !== from && !path.startsWith(`${from}/`)) continue
    const rest = path.slice(from.length)
    return to === '/' && rest.startsWith('/') ? rest : to + rest
  }
  return path
}

/**
 * The context for `path` (relative to the labelled root), or undefined when no spec matches
 * or the match says `<<none>>`: setfiles then leaves the file as it is.
 */
export function lookup(fc: FileContexts, path: string, kind: FileKind): string | undefined {
  const key = fc.subs.reduce((p, list) => substitute(p, list), path)
  const ranked = rankedSpecs(fc)
  for (let i = ranked.length - 1; i >= 0; i--) {
    const spec = ranked[i]!
    if (spec.kind !== undefined && spec.kind !== kind) continue
    if (!spec.match.test(key)) continue
    return spec.context === '<<none>>' ? undefined : spec.context
  }
  return undefined
}

/** Regex specs, then exact ones: ranked once per file_contexts, not once per labelled path. */
const rankings = new WeakMap<Spec[], Spec[]>()
function rankedSpecs(fc: FileContexts): Spec[] {
  let ranked = rankings.get(fc.specs)
  if (!ranked) {
    ranked = [...fc.specs.filter((s) => !s.exact), ...fc.specs.filter((s) => s.exact)]
    rankings.set(fc.specs, ranked)
  }
  return ranked
}
