import { own, setOwn } from '../../own.ts'
import { parse } from 'smol-toml'
import type { Json } from '../../manifest/types.ts'
import { treePath } from '../location.ts'
import { required, type StageFn } from '../run.ts'
import { dumpToml, type TomlTable, type TomlValue } from '../toml.ts'
import { createFile, fsError, overwriteFile, readBytes, resolve } from '../vtree.ts'

/** The stage's header lines (two pairs of them are joined by Python's implicit string concatenation). */
const HEADER = [
  'This file is the configuration file for all tools that',
  'use the containers/storage library.',
  "See 'man 5 containers-storage.conf' for more information.",
  'This file was created by osbuild.',
  '\n',
]

/**
 * org.osbuild.containers.storage.conf: read the file if it exists, keep only its [storage]
 * table, merge `config.storage` into it, and write it back with a comment header.
 */
export const storageConf: StageFn = (options, run) => {
  const location = (options.filename as string | undefined) ?? '/etc/containers/storage.conf'
  run.item(`write ${location}`, () => {
    if (options.filebase !== undefined) throw new Error('filebase reads a file of the build root, which is not emulated')
    const comment = (options.comment as string[] | undefined) ?? []
    const config = fromJson(required<Json>(options, 'config')) as TomlTable
    // open() follows a symlink at the file; its directory must already exist.
    const r = resolve(run.tree, treePath(location), { follow: true })
    if (r.node && r.node.type !== 'file') throw fsError('EISDIR', location, 'not a regular file')
    const data: TomlTable = {}
    if (r.node) mergeSection('storage', data, parseToml(readBytes(run.tree, r.path).toString('utf8'), location))
    mergeSection('storage', data, config)
    const header = [...HEADER, ...comment].map((line) => `# ${line}`).join('\n') + '\n\n'
    const bytes = Buffer.from(header + dumpToml(data), 'utf8')
    if (r.node) overwriteFile(run.tree, r.path, bytes)
    else createFile(run.tree, r.path, bytes, { mode: 0o644, uid: 0, gid: 0 })
  })
}

/**
 * The stage's merge_config: nested tables merge recursively, anything else in `from`
 * replaces what `into` has; new keys go after the existing ones (Python dict order).
 */
export function mergeSection(section: string, into: TomlTable, from: TomlTable): void {
  const want = own(from, section)
  if (!isTable(want) || Object.keys(want).length === 0) return
  const current = own(into, section)
  const have = isTable(current) ? current : setOwn(into, section, {} as TomlTable)
  for (const [key, value] of Object.entries(want)) {
    if (isTable(value) && isTable(own(have, key))) mergeSection(key, have, want)
    else setOwn(have, key, structuredClone(value))
  }
}

const isTable = (v: unknown): v is TomlTable => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)

/** Manifest JSON to TOML values: JSON integers are Python ints, other numbers floats. */
function fromJson(value: Json): TomlValue {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value
  if (Array.isArray(value)) return value.map(fromJson)
  if (value === null) throw new Error('null has no TOML form')
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromJson(v)]))
  return value
}

function parseToml(text: string, location: string): TomlTable {
  let parsed
  try {
    parsed = parse(text, { integersAsBigInt: true })
  } catch (e) {
    throw new Error(`${location} is not valid TOML: ${(e as Error).message.split('\n')[0]}`)
  }
  return checkValues(parsed, location) as TomlTable
}

/** Dates and times load in Python but tomli_w writes them its own way; no storage.conf uses them. */
function checkValues(value: unknown, location: string): TomlValue {
  if (Array.isArray(value)) return value.map((v) => checkValues(v, location))
  if (value instanceof Date) {
    throw new Error(`${location} holds a TOML date or time, which is not emulated`)
  }
  if (isTable(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, checkValues(v, location)]))
  return value as TomlValue
}
