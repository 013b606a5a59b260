import { basename } from 'node:path'
import { loadConfig, DEFAULTS_FILE } from '../config/load.ts'
import { readLocalFiles } from '../config/local-files.ts'
import { sourceContext } from '../config/source-root.ts'
import type { QmConfig } from '../config/types.ts'
import { QmError, sortErrors } from '../errors.ts'
import { aibEntries } from './aib.ts'
import { mergeAib } from './aib-merge.ts'
import { formatProblems } from './format-checks.ts'
import { formatPlan, mppDirectives, type Format } from './formats.ts'
import { nestedMountNotes } from './notes.ts'
import { plan, qmParts, type Plan } from './plan.ts'
import { guardContent } from './content-guard.ts'
import { contentDecidesUnsafe, unsafeProblems, unsafeSettings } from '../config/checks.ts'
import { guard } from '../config/guard.ts'

export interface RenderOptions {
  /** output format (default mpp) */
  format?: Format
  /** the config's file name, for messages and for paths relative to it */
  file?: string
  /**
   * the directory local sources must lie in (symlinks resolved); default: the config's repository
   * (the nearest directory at or above the config's holding .git), else the config's directory
   */
  sourceRoot?: string
  /** --format aib: the manifest to merge into (its text, undefined when it does not exist yet) */
  into?: { file: string; text?: string }
  /** --format aib: the directory the manifest is in, which AIB reads source paths relative to (default: the working directory) */
  manifestDir?: string
  /** the plan alone, no output text (`tree` builds from the plan; a 5,000-unit config's text is megabytes) */
  planOnly?: boolean
}

export interface RenderResult {
  output?: string
  /** what the output places, as the tree is built from it (an mpp include that leaves the policy to its manifest: with the default one) */
  plan?: Plan
  config?: QmConfig
  errors: QmError[]
  /** what the user should know although nothing failed, one sentence each (the CLI prints them as notes) */
  notes: string[]
}

/**
 * qm.yaml bytes (undefined: the defaults) to osbuild content. Every problem comes back in
 * `errors` with its place in the config; nothing is thrown for bad input.
 */
export function render(bytes: Uint8Array | undefined, options: RenderOptions = {}): RenderResult {
  const { format = 'mpp', file = DEFAULTS_FILE, sourceRoot } = options
  const loaded = loadConfig(bytes, file)
  const config = loaded.config
  if (!config) return { errors: loaded.errors, notes: loaded.notes }
  // relative paths in a config are relative to its directory (the working directory for the defaults)
  const ctx = sourceContext(file, sourceRoot)
  if ('code' in ctx) return { errors: [new QmError(ctx.code, ctx.message)], notes: loaded.notes }
  const { resolved, errors: fileErrors } = readLocalFiles(config, ctx)
  const problems = [...fileErrors, ...formatProblems(config, format)]
  if (problems.length > 0) {
    return { errors: sortErrors(problems.map((p) => new QmError(p.code, p.message, loaded.pointer(p.pointer), loaded.locate(p.pointer, p.atKey)))), notes: loaded.notes }
  }
  // content that goes round a generating key or a nested check, and what local content makes unsafe
  const parts = qmParts(config)
  const content = guardContent(config, resolved, parts)
  const decided = contentDecidesUnsafe(config)
  const late = [
    ...content.checks,
    ...unsafeProblems(config, decided ? unsafeSettings(config, guard(config).found) : [], content.found, decided).filter(
      (p) => p.code !== 'UNSAFE_SETTING' || content.found.some((f) => f.pointer === p.pointer),
    ),
  ]
  if (late.length > 0) {
    return { errors: sortErrors(late.map((p) => new QmError(p.code, p.message, loaded.pointer(p.pointer), loaded.locate(p.pointer, p.atKey)))), notes: loaded.notes }
  }
  const notes = [...loaded.notes, ...nestedMountNotes(config).map((n) => `${file}: ${n}`)]
  if (format === 'aib') {
    const fragment = aibEntries(config, { configFile: file, manifestDir: options.manifestDir ?? '.' })
    const target = options.into ?? { file: '<output>' }
    const { text, errors } = mergeAib({ ...target, name: manifestName(options.into?.file ?? file) }, fragment.entries)
    return text === undefined ? { errors, notes } : { output: text, config, errors: [], notes: [...notes, ...fragment.notes] }
  }
  const result = plan(config, resolved, { parts })
  if (options.planOnly) return { plan: result, config, errors: [], notes }
  // formatProblems refuses every config that needs osbuild-mpp; anything left is a bug
  const left = format === 'manifest' ? mppDirectives(result as object) : []
  if (left.length > 0) throw new Error(`manifest format left osbuild-mpp directives at ${left.join(', ')}`)
  // no policy in the config: an mpp include takes the importing manifest's (AIB's distros set automotive);
  // the plan handed back names the default, so a tree can still be built from it
  const output = format === 'mpp' && config.policy === undefined ? plan(config, resolved, { policyFromManifest: true, parts }) : result
  return { output: formatPlan(output, format), plan: result, config, errors: [], notes }
}

/** A manifest's name from its file: qm for the defaults or standard input. */
function manifestName(file: string): string {
  if (file.startsWith('<')) return 'qm'
  return basename(file).replace(/\.(aib\.ya?ml|qm\.ya?ml|ya?ml)$/, '') || 'qm'
}
