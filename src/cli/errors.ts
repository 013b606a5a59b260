import { errorToJSON, formatError, type QmError } from '../errors.ts'
import type { Io } from './io.ts'

/** Version of the --json error document, raised when its shape changes. */
export const ERRORS_JSON_VERSION = 1

/** Print errors: one compiler-style line each, or with `json` one document on stdout. */
export function reportErrors(io: Io, errors: readonly QmError[], json: boolean): void {
  if (json) io.out(`${JSON.stringify({ version: ERRORS_JSON_VERSION, errors: errors.map(errorToJSON) }, null, 2)}\n`)
  else for (const e of errors) io.err(`${formatError(e)}\n`)
}
