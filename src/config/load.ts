import { LineCounter, parseDocument, type Document } from 'yaml'
import { QmError, sortErrors, type ErrorCode, type Where } from '../errors.ts'
import { checkConfig } from './checks.ts'
import { pyyamlTags } from './pyyaml.ts'
import { controlCharacterChecks } from './text.ts'
import type { QmConfig } from './types.ts'
import { validateConfig } from './validate.ts'
import { locate } from './where.ts'
import { readPlainYaml } from './plain-yaml.ts'

/** Configs are small; anything larger is a mistake (or an attack) and is refused before parsing. */
export const MAX_CONFIG_BYTES = 1024 * 1024

/** Name used in messages for the built-in defaults (no config file). */
export const DEFAULTS_FILE = '<defaults>'

export interface Loaded {
  config?: QmConfig
  errors: QmError[]
  /** Place of a JSON Pointer in the config, for errors found later (render). */
  locate: (pointer: string, atKey?: boolean) => Where
  /** A config pointer as the file spells it (`/qm/...` when the config is the qm: section of a manifest). */
  pointer: (pointer: string) => string
  /** Directory that relative paths in the config are resolved against. */
  file: string
  /** What the loader did that the user should hear about (the parts of a manifest it ignored). */
  notes: string[]
}

/**
 * Parse and check a qm.yaml. `bytes` undefined means no config: the defaults.
 * Every error carries file:line:col; all are collected, none is thrown.
 */
export function loadConfig(bytes: Uint8Array | undefined, file = DEFAULTS_FILE): Loaded {
  const at = (line: number, col: number): Where => ({ file, line, col })
  const fail = (code: ErrorCode, message: string, where = at(1, 1)): Loaded => ({
    errors: [new QmError(code, message, '', where)],
    locate: () => where,
    pointer: same,
    file,
    notes: [],
  })
  if (bytes === undefined) return finish(undefined, undefined, file)
  if (bytes.length > MAX_CONFIG_BYTES) return { errors: [oversizeError(bytes.length, file)], locate: () => at(1, 1), pointer: same, file, notes: [] }
  const text = decodeUtf8(bytes)
  if (typeof text !== 'string') {
    return fail('CONFIG_INVALID', 'is not UTF-8 text (invalid byte sequence)', positionOf(bytes, text.offset, file))
  }
  const nul = text.indexOf('\0')
  if (nul >= 0) return fail('CONFIG_INVALID', 'contains a NUL byte: this is a binary file, not YAML', positionIn(text, nul, file))

  // most configs are in the plain subset readPlainYaml reads ten times faster; the yaml library then only places errors
  const plain = readPlainYaml(text)
  if (plain) return finish(plain.value, () => parsed(text), file)
  const { doc, lineCounter } = parsed(text)
  // an unknown tag is only a warning to the yaml library; PyYAML-based tools refuse it, and so does qm-stage
  const refused = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')]
  if (refused.length > 0) {
    const errors = refused.map((e) => {
      const [line, col] = e.linePos ? [e.linePos[0].line, e.linePos[0].col] : [1, 1]
      return new QmError('YAML_SYNTAX', e.message, '', at(line, col))
    })
    return { errors, locate: () => at(1, 1), pointer: same, file, notes: [] }
  }
  let raw: unknown
  try {
    raw = doc.toJS({ maxAliasCount: 100 })
  } catch (e) {
    return fail('YAML_SYNTAX', `cannot be read: ${(e as Error).message}`)
  }
  return finish(raw, () => ({ doc, lineCounter }), file)
}

interface Parsed {
  doc: Document
  lineCounter: LineCounter
}

function parsed(text: string): Parsed {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { version: '1.1', customTags: pyyamlTags, uniqueKeys: true, prettyErrors: true, lineCounter })
  return { doc, lineCounter }
}

/** A config over MAX_CONFIG_BYTES, refused before it is parsed. */
export function oversizeError(size: number, file: string): QmError {
  return new QmError('CONFIG_INVALID', `the file is ${size} bytes; a config may be at most ${MAX_CONFIG_BYTES} bytes`, '', { file, line: 1, col: 1 })
}

const same = (pointer: string) => pointer

/** `document`: the parsed YAML that places errors, made when the first one is placed. */
function finish(whole: unknown, document: (() => Parsed) | undefined, file: string): Loaded {
  const { raw, prefix, notes } = qmSection(whole, file)
  const pointer = (p: string) => `${prefix}${p}`
  let placed: Parsed | undefined
  const where = (p: string, atKey = false): Where => {
    if (!document) return { file, line: 1, col: 1 }
    placed ??= document()
    return locate(placed.doc, placed.lineCounter, file, pointer(p), atKey)
  }
  const { config, issues } = validateConfig(raw)
  // a control character is the one error at its place, whatever rule of the schema it also breaks there
  const controls = controlCharacterChecks(raw)
  const flagged = new Set(controls.map((c) => c.pointer))
  const error = (code: ErrorCode, message: string, p: string, atKey?: boolean) => new QmError(code, message, pointer(p), where(p, atKey))
  const errors = [...controls, ...issues.filter((i) => !flagged.has(i.pointer))].map((i) => error('CONFIG_INVALID', i.message, i.pointer, i.atKey))
  if (config && controls.length === 0) {
    for (const c of checkConfig(config, raw ?? {})) errors.push(error(c.code, c.message, c.pointer, c.atKey))
  }
  return { config: errors.length === 0 ? config : undefined, errors: sortErrors(errors), locate: where, pointer, file, notes }
}

/**
 * An automotive-image-builder manifest, or just its `qm:` block pasted with its key: the
 * config is the `qm:` section (qm-stage's keys are a superset of AIB's there). A qm.yaml
 * itself has no `qm` key, so the shapes cannot be confused.
 */
function qmSection(whole: unknown, file: string): { raw: unknown; prefix: string; notes: string[] } {
  if (whole === null || typeof whole !== 'object' || Array.isArray(whole) || !Object.hasOwn(whole, 'qm')) return { raw: whole, prefix: '', notes: [] }
  const section = (whole as Record<string, unknown>).qm
  const ignored = Object.keys(whole).filter((k) => k !== 'qm')
  const notes = ignored.length > 0 ? [`${file}: read its qm: section; ignored the rest of the manifest (${ignored.join(', ')}), which is automotive-image-builder's to build`] : []
  // `qm:` with nothing after it is AIB's way to say "a default QM", as `qm: {}` is
  return { raw: section ?? {}, prefix: '/qm', notes }
}

function decodeUtf8(bytes: Uint8Array): string | { offset: number } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  } catch {
    return { offset: firstInvalidUtf8(bytes) }
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0
    if (length === 0 || i + length > bytes.length) return i
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, i + length))
    } catch {
      return i
    }
    i += length
  }
  return bytes.length
}

function positionOf(bytes: Uint8Array, offset: number, file: string): Where {
  let line = 1
  let start = 0
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) [line, start] = [line + 1, i + 1]
  return { file, line, col: offset - start + 1 }
}

function positionIn(text: string, index: number, file: string): Where {
  const before = text.slice(0, index)
  const line = before.split('\n').length
  return { file, line, col: index - before.lastIndexOf('\n') }
}
