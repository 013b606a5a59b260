import { mppYaml } from './yaml-out.ts'
import type { Plan } from './plan.ts'
import type { Json, Manifest, Sources } from '../manifest/types.ts'

export const FORMATS = ['mpp', 'manifest', 'stages', 'aib'] as const
export type Format = (typeof FORMATS)[number]

/** Name of the osbuild-mpp variable holding the host stages in the mpp format. */
export const HOST_STAGES_VAR = 'qm_host_stages'
/** Name of the osbuild-mpp variable holding the host stages that go first (see Plan.hostFirstStages). */
export const HOST_FIRST_STAGES_VAR = 'qm_host_first_stages'
/** Name of the overlay pipeline in the manifest format. */
export const HOST_PIPELINE = 'qm_host'

const HEADER = [
  'QM partition for an osbuild image, rendered by qm-stage.',
  `Import it with mpp-import-pipelines; splice {mpp-eval: ${HOST_FIRST_STAGES_VAR}} first in the host tree's stages`,
  `(before its OS and users stages) and {mpp-eval: ${HOST_STAGES_VAR}} after them.`,
]

/** The mpp format's document, before it is written as YAML (yaml-out.ts). */
export function mppDocument(plan: Plan, sources: Sources = sortSources(plan.sources)): Record<string, unknown> {
  return { version: '2', 'mpp-vars': { [HOST_FIRST_STAGES_VAR]: plan.hostFirstStages, [HOST_STAGES_VAR]: plan.hostStages }, pipelines: plan.pipelines, sources }
}

/** The plan as text in `format`; the same plan always gives the same bytes. */
export function formatPlan(plan: Plan, format: Format): string {
  const sources = sortSources(plan.sources)
  switch (format) {
    case 'mpp': {
      // PyYAML (osbuild-mpp) reads it: its scalar resolution decides what is quoted, and what it cannot load is escaped
      const body = mppYaml(mppDocument(plan, sources))
      return `${HEADER.map((l) => `# ${l}`).join('\n')}\n${body}`
    }
    case 'manifest': {
      const manifest: Manifest = { version: '2', pipelines: [...plan.pipelines, { name: HOST_PIPELINE, stages: [...plan.hostFirstStages, ...plan.hostStages] }], sources }
      return `${JSON.stringify(manifest, null, 2)}\n`
    }
    case 'stages':
      return `${JSON.stringify({ pipelines: plan.pipelines, host_first_stages: plan.hostFirstStages, host_stages: plan.hostStages, sources }, null, 2)}\n`
    case 'aib':
      throw new Error('the aib format is made from the config, not from a plan (render does it)')
  }
}

/** Sources with types and items in sorted order, so output does not depend on generator order. */
function sortSources(sources: Sources): Sources {
  return Object.fromEntries(
    Object.keys(sources)
      .sort()
      .map((type) => [type, { items: Object.fromEntries(Object.entries(sources[type]!.items).sort(([a], [b]) => (a < b ? -1 : 1))) }]),
  )
}

/** JSON Pointers of every osbuild-mpp directive left in `value` (none may reach plain osbuild). */
export function mppDirectives(value: Json | object, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => mppDirectives(v as Json, `${at}/${i}`))
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([k, v]) => (k.startsWith('mpp-') ? [`${at}/${k}`] : mppDirectives(v as Json, `${at}/${k}`)))
}
