import { rootedPath } from '../plain-path.ts'
import type { StageRun } from './run.ts'
import type { Tree } from './vtree.ts'

/** Where an osbuild location URL points: a tree, a normalised path in it, and whether a trailing `/` asked for the contents. */
export interface Place {
  tree: Tree
  path: string
  contents: boolean
}

/**
 * osbuild's parse_location: `tree:///p`, `input://name/p`, a bare path meaning `tree://`.
 * The path is normalised lexically (`..` stops at the root) before anything is looked up,
 * and a trailing `/` becomes `/.` (rsync-style "contents of").
 */
export function place(location: string, run: Pick<StageRun, 'tree' | 'inputs'>): Place {
  const url = location.includes('://') ? location : `tree://${location}`
  const m = /^([a-z]+):\/\/([^/?#]*)([^?#]*)/.exec(url)
  if (!m) throw new Error(`cannot parse location ${location}`)
  const [, scheme, name, urlPath] = m as unknown as [string, string, string, string]
  let tree: Tree | undefined
  if (scheme === 'tree') tree = run.tree
  else if (scheme === 'input') {
    tree = run.inputs.get(name)
    if (!tree) throw new Error(`unknown input '${name}' in ${location}`)
  } else if (scheme === 'mount') throw new Error(`mount:// locations are not emulated (${location})`)
  else throw new Error(`unsupported scheme '${scheme}' in ${location}`)
  if (!urlPath.startsWith('/')) throw new Error(`location path must start with '/', got '${urlPath}' in ${location}`)
  return { tree, path: rootedPath(urlPath), contents: urlPath.endsWith('/') }
}

/** A plain tree path as stages that join it onto the tree see it (`os.path.join(tree, p.lstrip('/'))`). */
export const treePath = rootedPath
