import { loadConfig, DEFAULTS_FILE } from '../config/load.ts'
import { readLocalFiles } from '../config/local-files.ts'
import { sourceContext } from '../config/source-root.ts'
import type { QmConfig } from '../config/types.ts'
import { QmError, sortErrors } from '../errors.ts'
import { formatProblems } from './format-checks.ts'
import { formatPlan, mppDirectives, type Format } from './formats.ts'
import { plan, type Plan } from './plan.ts'

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
}

export interface RenderResult {
  output?: string
  plan?: Plan
  config?: QmConfig
  errors: QmError[]
}

/**
 * qm.yaml bytes (undefined: the defaults) to osbuild content. Every problem comes back in
 * `errors` with its place in the config; nothing is thrown for bad input.
 */
export function render(bytes: Uint8Array | undefined, { format = 'mpp', file = DEFAULTS_FILE, sourceRoot }: RenderOptions = {}): RenderResult {
  const loaded = loadConfig(bytes, file)
  const config = loaded.config
  if (!config) return { errors: loaded.errors }
  // relative paths in a config are relative to its directory (the working directory for the defaults)
  const ctx = sourceContext(file, sourceRoot)
  if ('code' in ctx) return { errors: [new QmError(ctx.code, ctx.message)] }
  const { resolved, errors: fileErrors } = readLocalFiles(config, ctx)
  const problems = [...fileErrors, ...formatProblems(config, format)]
  if (problems.length > 0) {
    return { errors: sortErrors(problems.map((p) => new QmError(p.code, p.message, p.pointer, loaded.locate(p.pointer, p.atKey)))) }
  }
  const result = plan(config, resolved)
  // formatProblems refuses every config that needs osbuild-mpp; anything left is a bug
  const left = format === 'manifest' ? mppDirectives(result as object) : []
  if (left.length > 0) throw new Error(`manifest format left osbuild-mpp directives at ${left.join(', ')}`)
  return { output: formatPlan(result, format), plan: result, config, errors: [] }
}

