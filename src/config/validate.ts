import { Ajv, type ValidateFunction } from 'ajv'
import schema from './qm.schema.json' with { type: 'json' }
import { describeErrors, MESSAGE_KEYWORD, type Issue } from './messages.ts'
import type { QmConfig } from './types.ts'

export { schema }

let compiled: ValidateFunction | undefined

/** The config schema, compiled once: strict, every error, defaults filled into the value. */
function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: true, verbose: true, useDefaults: true })
    ajv.addKeyword({ keyword: MESSAGE_KEYWORD, schemaType: 'string' })
    compiled = ajv.compile(schema)
  }
  return compiled
}

/**
 * Check `raw` against the schema. On success the result is a copy with every schema
 * default filled in; `raw` itself is never changed.
 */
export function validateConfig(raw: unknown): { config?: QmConfig; issues: Issue[] } {
  const value = structuredClone(raw ?? {})
  const validate = validator()
  if (validate(value)) return { config: value as QmConfig, issues: [] }
  return { issues: describeErrors(validate.errors ?? []) }
}
