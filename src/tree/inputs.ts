import { posix } from 'node:path'
import { hexDigest } from '../digest.ts'
import { treePath } from './location.ts'
import type { Input, Json, Sources } from '../manifest/types.ts'
import { bodyOf, createDir, createFile, emptyTree, fsError, getNode, isFsError, resolve, resolveParent, type Tree } from './vtree.ts'

/** One input reference: its id (checksum or `name:<pipeline>`) and per-reference options. */
export type Reference = [id: string, options: Record<string, Json>]

/** All three reference shapes osbuild accepts: `["id"]`, `{ "id": {...} }`, `[{ "id": ..., "options": {...} }]`. */
export function references(input: Input): Reference[] {
  const refs = input.references as unknown
  if (Array.isArray(refs)) {
    return refs.map((r): Reference => {
      if (typeof r === 'string') return [r, {}]
      const { id, options } = r as { id: string; options?: Record<string, Json> }
      return [id, options ?? {}]
    })
  }
  return Object.entries(refs as Record<string, Record<string, Json>>)
}

/** `name:<pipeline>` -> pipeline name; references without the prefix are dropped by osbuild. */
export const pipelineOf = (id: string): string | undefined => (id.startsWith('name:') ? id.slice(5) : undefined)

/** Names of pipelines an input set reads from. */
export function inputPipelines(inputs: Record<string, Input> | undefined): string[] {
  return Object.values(inputs ?? {})
    .filter((i) => i.origin === 'org.osbuild.pipeline')
    .flatMap((i) => references(i).map(([id]) => pipelineOf(id)))
    .filter((n): n is string => n !== undefined)
}

export interface Materialised {
  views: Map<string, Tree>
  /** Messages about source items that cannot be had offline. */
  unavailable: string[]
}

const ROOT = { mode: 0o755, uid: 0, gid: 0 }
/** Source files are stored by osbuild as plain 0644 root files, so `cp -a` gives them that mode. */
const SOURCE_FILE = { mode: 0o644, uid: 0, gid: 0 }

/**
 * Build the directory each input would be mounted as. `trees` holds the finished pipelines;
 * every pipeline named here must be among them (the caller sorts out foreign ones). A file
 * missing from a `partial` pipeline is left out, so the stage item reading it is skipped.
 */
export function materialise(
  inputs: Record<string, Input> | undefined,
  sources: Sources,
  trees: ReadonlyMap<string, Tree>,
  partial: ReadonlySet<string>,
): Materialised {
  const views = new Map<string, Tree>()
  const unavailable: string[] = []
  for (const [name, input] of Object.entries(inputs ?? {})) {
    const refs = references(input)
    if (input.type === 'org.osbuild.tree') {
      if (input.origin !== 'org.osbuild.pipeline') throw new Error(`input ${name}: org.osbuild.tree needs a pipeline origin`)
      const pipeline = refs.length === 1 ? pipelineOf(refs[0]![0]) : undefined
      if (pipeline === undefined) throw new Error(`input ${name}: org.osbuild.tree needs exactly one name:<pipeline> reference`)
      views.set(name, built(trees, pipeline, name))
    } else if (input.type === 'org.osbuild.files' && input.origin === 'org.osbuild.source') {
      const view = emptyTree(ROOT)
      for (const [id] of refs) {
        const data = sourceData(sources, id, unavailable)
        if (data) createFile(view, `/${id}`, data, SOURCE_FILE)
      }
      views.set(name, view)
    } else if (input.type === 'org.osbuild.files') {
      const view = emptyTree(ROOT)
      for (const [id, options] of refs) {
        const pipeline = pipelineOf(id)
        if (pipeline === undefined) continue
        const file = options.file
        if (typeof file !== 'string') throw new Error(`input ${name}: reference ${id} needs a "file" option`)
        try {
          placeFile(view, file, built(trees, pipeline, name))
        } catch (e) {
          if (!(partial.has(pipeline) && isFsError(e, 'ENOENT'))) throw e
        }
      }
      views.set(name, view)
    } else {
      throw new Error(`input ${name}: ${input.type} inputs are not emulated`)
    }
  }
  return { views, unavailable }
}

function built(trees: ReadonlyMap<string, Tree>, pipeline: string, input: string): Tree {
  const tree = trees.get(pipeline)
  if (!tree) throw new Error(`input ${input}: pipeline ${pipeline} is not built before this stage`)
  return tree
}

/** A pipeline file is bind-mounted at its own path inside the input; parents are plain 0755 directories. */
function placeFile(view: Tree, file: string, from: Tree): void {
  const path = treePath(file)
  const r = resolve(from, path, { follow: true })
  if (!r.node) throw fsError('ENOENT', file, 'no such file in the referenced pipeline')
  if (r.node.type !== 'file') throw new Error(`${file}: only regular files can be given as a files input`)
  let at = '/'
  for (const part of posix.dirname(path).split('/').filter(Boolean)) {
    at = posix.join(at, part)
    if (!getNode(view, at)) createDir(view, at, ROOT)
  }
  const { dir, name } = resolveParent(view, path)
  const meta = { mode: r.node.mode, uid: r.node.uid, gid: r.node.gid, ...(r.node.label === undefined ? {} : { label: r.node.label }) }
  createFile(view, posix.join(dir, name), bodyOf(from, r.path), meta)
}

const HASHES: Record<string, string> = { md5: 'md5', sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' }

/** The bytes of a source item: inline data is decoded and checked; other sources are not fetched. */
function sourceData(sources: Sources, id: string, unavailable: string[]): Buffer | undefined {
  const type = Object.keys(sources).find((t) => Object.hasOwn(sources[t]!.items, id))
  if (type === undefined) throw new Error(`unknown source reference ${id}`)
  if (type !== 'org.osbuild.inline') {
    unavailable.push(`${id} from ${type} not fetched`)
    return undefined
  }
  const item = sources[type]!.items[id] as { encoding?: string; data?: string }
  if (item.encoding !== 'base64') {
    unavailable.push(`${id}: ${item.encoding} inline data not decoded`)
    return undefined
  }
  const data = Buffer.from(item.data ?? '', 'base64')
  const [algo, hex] = id.split(':') as [string, string]
  const hash = HASHES[algo]
  if (!hash) throw new Error(`source ${id}: unknown checksum type`)
  if (hexDigest(hash, data) !== hex) throw new Error(`source ${id}: checksum mismatch`)
  return data
}
