import type { ErrorObject } from 'ajv'
import { describeErrors, type Issue } from './messages.ts'
import type { QmConfig } from './types.ts'
import { validate } from './validator.generated.ts'

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null }

/**
 * Check `raw` against the schema. On success the result is a copy with every schema
 * default filled in; `raw` itself is never changed.
 */
export function validateConfig(raw: unknown): { config?: QmConfig; issues: Issue[] } {
  const value = structuredClone(raw ?? {})
  const check = validate as Validate
  if (check(value)) return { config: value as QmConfig, issues: [] }
  return { issues: describeErrors(check.errors ?? []) }
}
