import { QmError } from '../errors.ts'
import type { Manifest } from '../manifest/types.ts'
import { findOsbuildSchemas, notFoundHint, osbuildCandidates, type Candidate, type OsbuildSchemas } from '../osbuild/locate.ts'
import { HOST_FIRST_STAGES_VAR, HOST_STAGES_VAR, type Format } from './formats.ts'
import type { RenderResult } from './render.ts'

export interface CheckOptions {
  /** the osbuild to check against; default: QM_OSBUILD_SCHEMAS, then the installed osbuild */
  osbuild?: OsbuildSchemas | Candidate[]
  /** the format the result was rendered in (pointers follow its layout); default mpp */
  format?: Format
}

/**
 * Errors where a rendered result and the osbuild on this machine disagree: a stage, input or
 * source it does not have, an option its schema lacks (an older osbuild) or rejects. Each
 * names the stage and the option. No osbuild found is an error too (OSBUILD_NOT_FOUND).
 * The manifest format is also checked as a whole manifest, as `osbuild --inspect` loads it.
 */
export async function checkWithOsbuild(result: RenderResult, { osbuild, format = 'mpp' }: CheckOptions = {}): Promise<QmError[]> {
  const candidates = Array.isArray(osbuild) ? osbuild : osbuildCandidates()
  const schemas = Array.isArray(osbuild) || osbuild === undefined ? findOsbuildSchemas(candidates) : osbuild
  if (!schemas) return [new QmError('OSBUILD_NOT_FOUND', `render --check needs osbuild's schemas: ${notFoundHint(candidates)}`)]
  const plan = result.plan
  if (!plan || result.output === undefined) return []
  // ajv is loaded only when a check is asked for: plain renders start faster without it
  const { osbuildValidator, withoutMpp } = await import('../osbuild/validate.ts')
  const v = osbuildValidator(schemas)
  const where = `(osbuild at ${schemas.root}, from ${schemas.origin})`
  const mismatches =
    format === 'manifest'
      ? v.manifest(JSON.parse(result.output) as Manifest)
      : [
          ...plan.pipelines.flatMap((p, i) => p.stages.flatMap((s, j) => v.stage(withoutMpp(s), `/pipelines/${i}/stages/${j}`))),
          ...plan.hostFirstStages.flatMap((s, k) => v.stage(withoutMpp(s), format === 'mpp' ? `/mpp-vars/${HOST_FIRST_STAGES_VAR}/${k}` : `/host_first_stages/${k}`)),
          ...plan.hostStages.flatMap((s, k) => v.stage(withoutMpp(s), format === 'mpp' ? `/mpp-vars/${HOST_STAGES_VAR}/${k}` : `/host_stages/${k}`)),
        ]
  return mismatches.map((m) => new QmError('OSBUILD_MISMATCH', `${m.message} ${where}`, m.at))
}
