import { posix } from 'node:path'
import { type Content, filesInput, inlineSource, sha256 } from './inline.ts'
import { mergeSources, mkdirStage } from './fragment.ts'
import type { Fragment, Input, Json, Sources, Stage } from './types.ts'


/** Where a file's bytes come from. */
export type Origin =
  | { content: Content }
  /** an org.osbuild.curl source, fetched and verified by osbuild */
  | { url: string; sha256: string }
  /** a file in the tree of an earlier pipeline */
  | { pipeline: string; file: string }

/** A file to place in a tree. `mode` is a chmod string; osbuild's copy leaves source files 0644. */
export type FileSpec = { path: string; mode?: string } & Origin

const INLINE_FILE_MODE = '0644'

/**
 * The stages that put `files` into a tree: one mkdir for their directories (parents,
 * exist_ok), one copy, and a chmod for modes other than 0644.
 */
export function placeFiles(files: readonly FileSpec[]): Fragment {
  if (files.length === 0) return { stages: [], sources: {} }
  const inputs: Record<string, Input> = {}
  const sources: Sources[] = []
  const paths: Json[] = []
  const sourceRefs: string[] = []
  for (const file of files) {
    const to = `tree://${file.path}`
    if ('content' in file) {
      const inline = inlineSource(file.content)
      sources.push(inline.sources)
      sourceRefs.push(inline.ref)
      paths.push({ from: `input://files/${inline.ref}`, to, remove_destination: true })
    } else if ('pipeline' in file) {
      const name = `tree-${sha256(`${file.pipeline}\0${file.file}`).slice(0, 12)}`
      inputs[name] = { type: 'org.osbuild.files', origin: 'org.osbuild.pipeline', references: { [`name:${file.pipeline}`]: { file: file.file } } }
      paths.push({ from: `input://${name}${file.file}`, to, remove_destination: true })
    } else {
      const ref = `sha256:${file.sha256.replace(/^sha256:/, '')}`
      sources.push({ 'org.osbuild.curl': { items: { [ref]: { url: file.url } } } })
      sourceRefs.push(ref)
      paths.push({ from: `input://files/${ref}`, to, remove_destination: true })
    }
  }
  if (sourceRefs.length > 0) inputs.files = filesInput(sourceRefs)
  const stages: Stage[] = [
    mkdirStage(files.map((f) => posix.dirname(f.path))),
    { type: 'org.osbuild.copy', inputs: sortKeys(inputs), options: { paths } },
  ]
  const modes = files.filter((f) => f.mode !== undefined && f.mode !== INLINE_FILE_MODE)
  if (modes.length > 0) {
    stages.push({ type: 'org.osbuild.chmod', options: { items: Object.fromEntries(modes.map((f) => [f.path, { mode: f.mode! }])) } })
  }
  return { stages, sources: mergeSources(...sources) }
}

const sortKeys = <T>(o: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
