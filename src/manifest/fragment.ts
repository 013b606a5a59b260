import { addParents } from '../parents.ts'
import type { Fragment, Input, Json, Sources, Stage } from './types.ts'

/**
 * Union of source sets; the same key with two different items is a programming error. Source sets are not
 * changed once made, so when only one of `all` has any, it is the union as it is: fragments nest, and copying
 * every item at every level made a config's 10,000 files 70,000 copies.
 */
export function mergeSources(...all: Sources[]): Sources {
  const given = all.filter((sources) => Object.keys(sources).length > 0)
  if (given.length <= 1) return given[0] ?? {}
  const out: Sources = {}
  for (const sources of given) {
    for (const type of Object.keys(sources)) {
      const items = sources[type]!.items
      const into = (out[type] ??= { items: {} }).items
      for (const key of Object.keys(items)) {
        const item = items[key]!
        if (key in into && JSON.stringify(into[key]) !== JSON.stringify(item)) {
          throw new Error(`source ${type} ${key} given twice with different content`)
        }
        into[key] = item
      }
    }
  }
  return out
}

/** Fragments one after the other; neighbouring mkdirs that only ensure directories become one. */
export function sequence(...fragments: Fragment[]): Fragment {
  const stages: Stage[] = []
  for (const stage of fragments.flatMap((f) => f.stages)) {
    const last = stages.at(-1)
    if (last && ensuresOnly(last) && ensuresOnly(stage)) stages[stages.length - 1] = fold([last, stage])
    else stages.push(stage)
  }
  return { stages, sources: mergeSources(...fragments.map((f) => f.sources)) }
}

type MkdirPath = { path: string; parents?: boolean; exist_ok?: boolean; mode?: number }

/** An mkdir of parents + exist_ok paths only: it changes nothing that exists, so it folds freely. */
const ensuresOnly = (stage: Stage) =>
  stage.type === 'org.osbuild.mkdir' &&
  (stage.options!.paths as MkdirPath[]).every((p) => p.parents === true && p.exist_ok === true && p.mode === undefined)

/**
 * Independent file placements side by side: every mkdir, copy, ln and chmod of all
 * fragments folded into one stage each, in that order. Valid because the fragments
 * touch disjoint paths; fewer stages means a faster osbuild run and a shorter manifest.
 */
export function parallel(...fragments: Fragment[]): Fragment {
  const byType = new Map<string, Stage[]>(PARALLEL_ORDER.map((t) => [t, []]))
  for (const stage of fragments.flatMap((f) => f.stages)) {
    const group = byType.get(stage.type)
    if (!group) throw new Error(`parallel() cannot fold ${stage.type} stages`)
    group.push(stage)
  }
  const stages = [...byType.values()].filter((g) => g.length > 0).map(fold)
  return { stages, sources: mergeSources(...fragments.map((f) => f.sources)) }
}

const PARALLEL_ORDER = ['org.osbuild.mkdir', 'org.osbuild.copy', 'org.osbuild.ln', 'org.osbuild.chmod']

function fold(stages: Stage[]): Stage {
  if (stages.length === 1) return stages[0]!
  const [{ type }] = stages as [Stage]
  if (type === 'org.osbuild.chmod') {
    const items: Record<string, Json> = {}
    for (const s of stages) {
      for (const [path, item] of Object.entries(s.options!.items as Record<string, Json>)) {
        if (path in items) throw new Error(`chmod of ${path} given twice`)
        items[path] = item
      }
    }
    return { type, options: { items } }
  }
  if (stages.every(ensuresOnly)) return mkdirStage(stages.flatMap((s) => (s.options!.paths as MkdirPath[]).map((p) => p.path)))
  const paths = stages.flatMap((s) => s.options!.paths as Json[])
  const folded: Stage = { type, options: { paths: dedupe(paths) } }
  const inputs = stages.map((s) => s.inputs).filter((i) => i !== undefined)
  if (inputs.length > 0) folded.inputs = mergeInputs(inputs)
  return folded
}

function dedupe(values: Json[]): Json[] {
  const seen = new Set<string>()
  return values.filter((v) => {
    const key = JSON.stringify(v)
    return seen.has(key) ? false : (seen.add(key), true)
  })
}

function mergeInputs(all: Record<string, Input>[]): Record<string, Input> {
  const out: Record<string, Input> = {}
  // the references merged so far under each name, so each merge costs its own length, not the total's
  const seen = new Map<string, Set<string>>()
  for (const inputs of all) {
    for (const [name, input] of Object.entries(inputs)) {
      const have = out[name]
      if (!have) {
        out[name] = { ...input, references: structuredClone(input.references) }
      } else if (Array.isArray(have.references) && Array.isArray(input.references) && have.type === input.type) {
        let refs = seen.get(name)
        if (!refs) {
          refs = new Set(have.references)
          seen.set(name, refs)
          have.references = [...refs]
        }
        const into = have.references as string[]
        for (const r of input.references) if (!refs.has(r)) (refs.add(r), into.push(r))
      } else if (JSON.stringify(have) !== JSON.stringify(input)) {
        throw new Error(`input ${name} given twice with different content`)
      }
    }
  }
  return out
}

/**
 * One mkdir for `dirs` with parents and exist_ok, so it is safe on any tree.
 * Only the deepest directories are listed: `parents` creates the rest.
 */
export function mkdirStage(dirs: readonly string[]): Stage {
  const unique = [...new Set(dirs)].filter((d) => d !== '/').sort()
  const above = new Set<string>()
  for (const d of unique) addParents(above, d)
  const leaves = unique.filter((d) => !above.has(d))
  const paths: Json[] = leaves.map((path) => ({ path, parents: true, exist_ok: true }))
  return { type: 'org.osbuild.mkdir', options: { paths } }
}
