/** Every error a user's input can cause has a code from this list (README "Errors" has a row for each). */
export const ERROR_CODES = {
  FILE_READ: 'a file named on the command line or in the config cannot be read',
  YAML_SYNTAX: 'the config is not valid YAML (duplicate keys and alias bombs included)',
  CONFIG_INVALID: 'the config breaks a rule of the qm.yaml schema',
  PATH_NOT_ALLOWED: 'a path is not absolute and normalised, or lies outside the roots allowed for it',
  UNSAFE_SETTING: 'a setting weakens QM isolation and allow_unsafe does not name it with a reason',
  UNUSED_ALLOW_UNSAFE: 'an allow_unsafe entry names a setting the config does not make',
  CONFLICT: 'two settings contradict each other, or --into would overwrite what qm-stage did not write',
  IMAGE_NOT_EMBEDDED: 'a nested container uses an image that is not embedded and not marked to be pulled',
  SOURCE_MISSING: 'a file the QM needs has no source the config names',
  FORMAT_UNSUPPORTED: 'the chosen output format cannot express this config',
  OUTPUT_WRITE: 'the output cannot be written',
  TAR_READ: 'an archive cannot be read',
  TREE_EXEC: 'a stage cannot run on the virtual tree',
  OSBUILD_NOT_FOUND: 'render --check finds no osbuild (installed, or named by QM_OSBUILD_SCHEMAS) to check against',
  OSBUILD_MISMATCH: 'render --check: the osbuild on this machine lacks a stage or option the output uses, or rejects its value',
} as const

export type ErrorCode = keyof typeof ERROR_CODES

/** 1-based position, as the yaml library's LinePos. */
export interface Where {
  file: string
  line: number
  col: number
}

/** An error the user can fix. `pointer` is a JSON Pointer into the config (ajv's instancePath). */
export class QmError extends Error {
  override name = 'QmError'
  readonly code: ErrorCode
  readonly pointer: string
  readonly where: Where | undefined

  constructor(code: ErrorCode, message: string, pointer = '', where?: Where) {
    super(message)
    this.code = code
    this.pointer = pointer
    this.where = where
  }

  at(where: Where): QmError {
    return new QmError(this.code, this.message, this.pointer, where)
  }
}

/** `qm.yaml:7:12 CONFIG_INVALID /nested/0/oom_score_adjust: must be <= 1000` */
export function formatError({ where, code, pointer, message }: QmError): string {
  const place = where ? `${where.file}:${where.line}:${where.col} ` : ''
  return `${place}${code} ${pointer || '/'}: ${message}`
}

export function errorToJSON({ code, message, pointer, where }: QmError) {
  return { code, message, pointer, where: where ?? null }
}

/** Errors sorted by file, line, column, then pointer, so output is stable. */
export function sortErrors(errors: readonly QmError[]): QmError[] {
  const key = (e: QmError) => [e.where?.file ?? '', e.where?.line ?? 0, e.where?.col ?? 0, e.pointer] as const
  return [...errors].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)]
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1
    return 0
  })
}
