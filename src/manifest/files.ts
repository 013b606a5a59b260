import { posix } from 'node:path'
import { type Content, filesInput, inlineSource } from './inline.ts'
import { mergeSources } from './fragment.ts'
import type { Fragment, Json, Stage } from './types.ts'

/** A file qm-stage writes itself. `mode` is a chmod string; osbuild's copy leaves inline files 0644. */
export interface FileSpec {
  path: string
  content: Content
  mode?: string
}

export const INLINE_FILE_MODE = '0644'

/**
 * The stages that put `files` into a tree: one mkdir for their directories (parents,
 * exist_ok), one copy from inline sources, and a chmod for modes other than 0644.
 */
export function placeFiles(files: readonly FileSpec[]): Fragment {
  if (files.length === 0) return { stages: [], sources: {} }
  const placed = files.map((f) => ({ ...f, ...inlineSource(f.content) }))
  const stages: Stage[] = [
    mkdirStage(files.map((f) => posix.dirname(f.path))),
    {
      type: 'org.osbuild.copy',
      inputs: { inline: filesInput(placed.map((f) => f.ref)) },
      options: {
        paths: placed.map((f) => ({ from: `input://inline/${f.ref}`, to: `tree://${f.path}`, remove_destination: true })),
      },
    },
  ]
  const modes = placed.filter((f) => f.mode !== undefined && f.mode !== INLINE_FILE_MODE)
  if (modes.length > 0) {
    stages.push({ type: 'org.osbuild.chmod', options: { items: Object.fromEntries(modes.map((f) => [f.path, { mode: f.mode! }])) } })
  }
  return { stages, sources: mergeSources(...placed.map((f) => f.sources)) }
}

/**
 * One mkdir for `dirs` with parents and exist_ok, so it is safe on any tree.
 * Only the deepest directories are listed: `parents` creates the rest.
 */
export function mkdirStage(dirs: readonly string[]): Stage {
  const unique = [...new Set(dirs)].filter((d) => d !== '/').sort()
  const leaves = unique.filter((d) => !unique.some((other) => other.startsWith(`${d}/`)))
  const paths: Json[] = leaves.map((path) => ({ path, parents: true, exist_ok: true }))
  return { type: 'org.osbuild.mkdir', options: { paths } }
}
