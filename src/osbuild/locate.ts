import { existsSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'

/** Where an installed osbuild keeps its modules (the rpm's %{_prefix}/lib/osbuild). */
export const INSTALLED_OSBUILD = '/usr/lib/osbuild'
/** The variable that names an osbuild (source tree, install or copy of its schemas) to use instead. */
export const SCHEMAS_VARIABLE = 'QM_OSBUILD_SCHEMAS'

/**
 * osbuild's schemas: `stages/`, `inputs/`, `sources/` holding `<module>.meta.json`, and the
 * manifest schema `osbuild2.json`. An installed osbuild, a source checkout and a copy of
 * its data files all have this layout; the rpm keeps schemas/ in /usr/share/osbuild and
 * links it from /usr/lib/osbuild.
 */
export interface OsbuildSchemas {
  /** the directory holding stages/ */
  root: string
  /** osbuild2.json, when the layout has it (a copy of stages alone checks stages only) */
  manifestSchema?: string
  /** how it was found, for messages: the variable, or "installed osbuild" */
  origin: string
}

export interface Candidate {
  dir: string
  origin: string
}

/** QM_OSBUILD_SCHEMAS when set, then an installed osbuild. */
export function osbuildCandidates(env: NodeJS.ProcessEnv = process.env): Candidate[] {
  const named = env[SCHEMAS_VARIABLE]
  return [...(named ? [{ dir: resolve(named), origin: SCHEMAS_VARIABLE }] : []), { dir: INSTALLED_OSBUILD, origin: 'installed osbuild' }]
}

/** The first candidate with osbuild's layout; a named one without it is skipped like a missing one. */
export function findOsbuildSchemas(candidates: readonly Candidate[]): OsbuildSchemas | undefined {
  for (const { dir, origin } of candidates) {
    if (!hasStageMeta(join(dir, 'stages'))) continue
    const manifestSchema = [join(dir, 'schemas', 'osbuild2.json'), join(dir, '..', '..', 'share', 'osbuild', 'schemas', 'osbuild2.json')].find((p) => existsSync(p))
    return { root: dir, origin, ...(manifestSchema ? { manifestSchema } : {}) }
  }
  return undefined
}

function hasStageMeta(dir: string): boolean {
  try {
    return readdirSync(dir).some((f) => f.endsWith('.meta.json'))
  } catch {
    return false
  }
}

/** What to tell a user who has none of them. */
export function notFoundHint(candidates: readonly Candidate[]): string {
  return `no osbuild found (looked in ${candidates.map((c) => `${c.dir} (${c.origin})`).join(', ')}): install osbuild, or set ${SCHEMAS_VARIABLE} to a directory holding its stages/*.meta.json`
}
