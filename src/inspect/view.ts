import { posix } from 'node:path'
import type { Entry, TreeIndex } from '../archive/types.ts'

/**
 * Read access to an indexed tree in one mount namespace: where a path of that namespace
 * lies in the tree (`mount`), with symlinks followed as a process there would follow them.
 */
export interface TreeView {
  /** the tree path of namespace path `path`, every symlink followed; undefined if it leads nowhere */
  resolve(path: string): string | undefined
  /** the entry `path` leads to (links followed) */
  entry(path: string): Entry | undefined
  /** names in directory `dir`, or undefined when it is not an indexed directory */
  list(dir: string): string[] | undefined
  /** the body of the file at `path`, when it was read */
  read(path: string): Uint8Array | undefined
  text(path: string): string | undefined
  exists(path: string): boolean
  index: TreeIndex
}

/** Linux gives up after 40 links (ELOOP); so does the view. */
const MAX_LINKS = 40

/** Namespace path -> tree path; the host's namespace is the identity. */
export type Mount = (path: string) => string

/** A view of `index` from a namespace whose paths `mount` maps into the tree. */
export function viewOf(index: TreeIndex, mount: Mount = (p) => p): TreeView {
  const children = childrenOf(index)
  const resolve = (path: string): string | undefined => {
    let links = 0
    const pending = path.split('/').filter((p) => p !== '' && p !== '.')
    let at = '/'
    while (pending.length > 0) {
      const part = pending.shift()!
      if (part === '..') {
        at = posix.dirname(at)
        continue
      }
      const next = at === '/' ? `/${part}` : `${at}/${part}`
      const e = index.entries.get(mount(next))
      if (e?.type === 'symlink' && e.target !== undefined) {
        if (++links > MAX_LINKS) return undefined
        // read inside the namespace: absolute targets start at its root, '..' stops there
        pending.unshift(...e.target.split('/').filter((p) => p !== '' && p !== '.'))
        if (e.target.startsWith('/')) at = '/'
        continue
      }
      at = next
    }
    const real = mount(at)
    const e = index.entries.get(real)
    return e?.type === 'hardlink' && e.target !== undefined ? e.target : real
  }
  const entry = (path: string) => {
    const real = resolve(path)
    return real === undefined ? undefined : index.entries.get(real)
  }
  const read = (path: string) => {
    const real = resolve(path)
    return real === undefined ? undefined : index.bodies.get(real)
  }
  return {
    index,
    resolve: (path) => {
      const real = resolve(path)
      return real !== undefined && (real === '/' || index.entries.has(real)) ? real : undefined
    },
    entry,
    list: (dir) => {
      const real = resolve(dir)
      if (real === undefined || (real !== '/' && index.entries.get(real)?.type !== 'dir')) return undefined
      return children.get(real) ?? []
    },
    read,
    text: (path) => {
      const body = read(path)
      return body === undefined ? undefined : Buffer.from(body).toString('utf8')
    },
    exists: (path) => entry(path) !== undefined,
  }
}

const cache = new WeakMap<TreeIndex, Map<string, string[]>>()

function childrenOf(index: TreeIndex): Map<string, string[]> {
  let children = cache.get(index)
  if (children) return children
  children = new Map()
  for (const path of index.entries.keys()) {
    if (path === '/') continue
    const dir = posix.dirname(path)
    const list = children.get(dir)
    if (list) list.push(posix.basename(path))
    else children.set(dir, [posix.basename(path)])
  }
  for (const list of children.values()) list.sort()
  cache.set(index, children)
  return children
}
