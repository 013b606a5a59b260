// Validation against osbuild's own schemas, for the schema suites (test/osbuild/). They are
// found as users' machines have them (src/osbuild/locate.ts: QM_OSBUILD_SCHEMAS, then an
// installed osbuild), then in this workspace's ../shared/osbuild-schemas. Without any, the
// schema suites are skipped with one line saying how to run them; with
// QM_REQUIRE_OSBUILD_SCHEMAS=1 (.ci/run sets it) a missing osbuild is an error instead.
import { join } from 'node:path'
import { suite } from 'uvu'
import type { Manifest, Stage } from '../../src/manifest/types.ts'
import { findOsbuildSchemas, notFoundHint, osbuildCandidates } from '../../src/osbuild/locate.ts'
import { mismatchText, osbuildValidator } from '../../src/osbuild/validate.ts'

export { withoutMpp } from '../../src/osbuild/validate.ts'

const candidates = [...osbuildCandidates(), { dir: join(process.cwd(), '..', 'shared', 'osbuild-schemas'), origin: 'the workspace copy' }]
export const SCHEMAS = findOsbuildSchemas(candidates)

if (!SCHEMAS) {
  if (process.env.QM_REQUIRE_OSBUILD_SCHEMAS) throw new Error(`QM_REQUIRE_OSBUILD_SCHEMAS is set but there is ${notFoundHint(candidates)}`)
  console.log(`osbuild schema suites skipped: ${notFoundHint(candidates)}`)
}

const validator = SCHEMAS && osbuildValidator(SCHEMAS)
const need = () => validator ?? (() => { throw new Error('a schema check outside schemaSuite()') })()

export const validateStage = (stage: Stage, at = ''): string[] => need().stage(stage, at).map(mismatchText)
export const validateManifest = (manifest: Manifest): string[] => need().manifest(manifest).map(mismatchText)

/** A uvu suite whose tests are skipped (and counted as skipped) when no osbuild is found. */
export const schemaSuite = (name: string) => suiteIf(name, SCHEMAS !== undefined)

/** A uvu suite whose tests are skipped (and counted as skipped) when the data they check against is absent. */
export function suiteIf(name: string, present: boolean) {
  const s = suite(name)
  if (present) return s
  return Object.assign(((title: string, fn: () => unknown) => s.skip(title, fn as never)) as typeof s, s)
}
