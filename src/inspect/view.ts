import { posix } from 'node:path'
import type { Entry, TreeIndex } from '../archive/types.ts'
import { QUADLET_EXTENSIONS } from '../units/names.ts'
import { quadletDirs, type QuadletDirs } from '../units/unit-dirs.ts'
import { mergeUnits, type EffectiveUnit } from '../units/merge.ts'
import { parseUnit, type UnitFile } from '../units/parse.ts'
import { packed } from '../packed.ts'
import { PLAIN_PATH } from '../plain-path.ts'

/**
 * Read access to an indexed tree in one mount namespace: where a path of that namespace
 * lies in the tree (`mount`), with symlinks followed as a process there would follow them.
 */
export interface TreeView {
  /** the tree path of namespace path `path`, every symlink followed; undefined if it leads nowhere */
  resolve(path: string): string | undefined
  /** where `path` is in the tree: what it resolves to, or, for a link that leads nowhere, the link itself */
  where(path: string): string
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

/** A file or directory inspect needed and could not read: the tree path and why. */
export interface Unread {
  path: string
  reason: string
}

/** What the views of an index were asked for and could not give, by tree path (filled as the models read). */
const unreadOf = new WeakMap<TreeIndex, Map<string, string>>()

/** Everything inspect needed from `index` and could not read, in path order. */
export function unreadIn(index: TreeIndex): Unread[] {
  return [...(unreadOf.get(index) ?? new Map<string, string>())].map(([path, reason]) => ({ path, reason })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/** The reader's own words about `path` (why its content was not read), when it gave any. */
function readerSays(index: TreeIndex, path: string): string | undefined {
  const said = index.problems.filter((p) => p.path === path).map((p) => p.message)
  return said.length > 0 ? said.join('; ') : undefined
}

/** Names the Quadlet generator loads as files: its unit files and their .conf drop-ins. */
const QUADLET_LOADED = new RegExp(`\\.(${[...Object.keys(QUADLET_EXTENSIONS), 'conf'].join('|')})$`)

/**
 * A directory listing as the Quadlet generator acts on it: a unit file or drop-in it cannot read is skipped
 * (an error in its log), so a same-named file in a lower-priority directory takes its place, and the other
 * drop-ins still apply (checked with podman 5.8.2's generator; 4.9.5 does the same, silently). The view
 * records each such file, so the report says it could not be read.
 */
export const quadletList = (view: TreeView) => (dir: string): string[] | undefined => {
  const names = view.list(dir)
  if (names === undefined) return undefined
  const at = (n: string) => (dir === '/' ? `/${n}` : `${dir}/${n}`)
  return names.filter((n) => !QUADLET_LOADED.test(n) || view.list(at(n)) !== undefined || view.read(at(n)) !== undefined)
}

const quadletsByView = new WeakMap<TreeView, QuadletDirs>()

/** The Quadlet search directories of a namespace as its generator reads them, found once per view for every model. */
export function quadletsOf(view: TreeView): QuadletDirs {
  let quadlets = quadletsByView.get(view)
  if (!quadlets) quadletsByView.set(view, (quadlets = quadletDirs(quadletList(view))))
  return quadlets
}

const unitFilesByView = new WeakMap<TreeView, Map<string, UnitFile>>()

/** A Quadlet file of the namespace as its generator reads it, named by its path there: read once per view for every model. */
export function quadletFile(view: TreeView, path: string): UnitFile {
  let files = unitFilesByView.get(view)
  if (!files) unitFilesByView.set(view, (files = new Map()))
  let file = files.get(path)
  if (!file) files.set(path, (file = parseUnit(view.text(path) ?? '', path, 'quadlet')))
  return file
}

const mergedByView = new WeakMap<TreeView, Map<string, EffectiveUnit>>()

/** The settings of a Quadlet unit's files (the unit, then its drop-ins, in order) merged once per view for every model. */
export function quadletMerged(view: TreeView, paths: readonly string[]): EffectiveUnit {
  let merged = mergedByView.get(view)
  if (!merged) mergedByView.set(view, (merged = new Map()))
  // NUL is the one byte no path holds
  const key = paths.join('\0')
  let unit = merged.get(key)
  if (!unit) merged.set(key, (unit = mergeUnits(packed(paths, (p) => quadletFile(view, p)))))
  return unit
}

/** A file a reader would load: it exists, or it cannot be read (a dangling link, say), which the view records. */
export const loads = (view: TreeView, path: string): boolean => view.text(path) !== undefined || view.exists(path)

/** Linux gives up after 40 links (ELOOP); so does the view. */
const MAX_LINKS = 40

/**
 * Where a walk of a path ended: the tree path it leads to. `lastLink`: the tree path of the symlink that named the
 * last component, when one did (a dangling link leads to a path with no entry); `loop`: the walk gave up (ELOOP);
 * `hardlink`: the path was a hard link, and `real` is its target. `at` and `links`: the namespace path reached and
 * the symlinks followed on the way, for a walk below it to go on from. Every walk has every field (one shape for
 * the tens of thousands a large tree makes); `text` is the file's decoded content once asked for.
 */
interface Walked {
  real: string | undefined
  lastLink: string | undefined
  loop: boolean
  hardlink: string | undefined
  at: string
  links: number
  text: string | undefined | null
}

const walked = (real: string | undefined, at: string, links: number, lastLink?: string, hardlink?: string, loop = false): Walked => ({
  real, lastLink, loop, hardlink, at, links, text: null,
})


/** Namespace path -> tree path; the host's namespace is the identity. */
export type Mount = (path: string) => string

/** A view of `index` from a namespace whose paths `mount` maps into the tree. */
export function viewOf(index: TreeIndex, mount: Mount = (p) => p): TreeView {
  const children = childrenOf(index)
  let unread = unreadOf.get(index)
  if (!unread) unreadOf.set(index, (unread = new Map()))
  const missed = (path: string, reason: string) => {
    if (!unread.has(path)) unread.set(path, reason)
  }
  /** The tree does not change while it is viewed, and the models ask for the same paths many times (a unit file is listed, read, placed). */
  const walks = new Map<string, Walked>()
  /** Where `path` leads, symlinks followed inside the namespace. */
  const walk = (path: string): Walked => {
    let w = walks.get(path)
    if (!w) walks.set(path, (w = walkOnce(path)))
    return w
  }
  const walkOnce = (path: string): Walked => {
    // the parent is walked (once) as a path of its own: a walk goes on from where it ends
    let parent: string | undefined
    let pending: string[]
    if (PLAIN_PATH.test(path)) {
      // its parent is what comes before its last slash
      const slash = path.lastIndexOf('/')
      parent = slash > 0 ? path.slice(0, slash) : undefined
      pending = [path.slice(slash + 1)]
    } else {
      const parts = path.split('/').filter((p) => p !== '' && p !== '.')
      parent = parts.length > 1 ? `/${parts.slice(0, -1).join('/')}` : undefined
      pending = parts.slice(-1)
    }
    let at = '/'
    let links = 0
    if (parent !== undefined) {
      const above = walk(parent)
      if (above.loop) return above
      at = above.at
      links = above.links
    }
    let lastLink: string | undefined
    // the tree path of `at` and its entry, when the last step found them
    let real: string | undefined
    let e: Entry | undefined
    while (pending.length > 0) {
      const part = pending.shift()!
      if (part === '..') {
        at = posix.dirname(at)
        real = undefined
        continue
      }
      const next = at === '/' ? `/${part}` : `${at}/${part}`
      real = mount(next)
      e = index.entries.get(real)
      if (e?.type === 'symlink' && e.target !== undefined) {
        if (++links > MAX_LINKS) return walked(undefined, at, links, real, undefined, true)
        // read inside the namespace: absolute targets start at its root, '..' stops there
        const target = e.target.split('/').filter((p) => p !== '' && p !== '.')
        pending.unshift(...target)
        if (e.target.startsWith('/')) at = '/'
        // this link names the last component when nothing of the path follows its target
        if (pending.length === target.length) lastLink = real
        real = undefined
        continue
      }
      at = next
    }
    if (real === undefined) {
      real = mount(at)
      e = index.entries.get(real)
    }
    if (e?.type === 'hardlink' && e.target !== undefined) return walked(e.target, at, links, undefined, real)
    return walked(real, at, links, lastLink)
  }
  const resolve = (path: string): string | undefined => walk(path).real
  const entry = (path: string) => {
    const real = resolve(path)
    return real === undefined ? undefined : index.entries.get(real)
  }
  /** The body at `path`; when something there cannot be read (not merely absent), why is recorded. */
  const read = (path: string) => readWalked(walk(path))
  const readWalked = ({ real, lastLink, loop, hardlink }: Walked) => {
    if (loop) {
      missed(lastLink!, 'too many levels of symbolic links (a loop): its target cannot be read')
      return undefined
    }
    const body = real === undefined ? undefined : (index.bodies.get(real) ?? (hardlink === undefined ? undefined : index.bodies.get(hardlink)))
    if (body !== undefined || real === undefined) return body
    if (hardlink !== undefined) {
      missed(hardlink, readerSays(index, hardlink) ?? `content of this hard link (to ${real}) not read`)
      return undefined
    }
    const e = index.entries.get(real)
    if (!e) {
      if (lastLink) missed(lastLink, `dangling symbolic link: its target ${real} is not in the tree`)
    } else if (e.type === 'file' || e.type === 'hardlink') {
      missed(real, readerSays(index, real) ?? (e.type === 'hardlink' ? `content of this hard link (to ${e.target}) not read` : 'content not read'))
    }
    return undefined
  }
  return {
    index,
    resolve: (path) => {
      const real = resolve(path)
      return real !== undefined && (real === '/' || index.entries.has(real)) ? real : undefined
    },
    where: (path) => {
      const real = resolve(path)
      if (real !== undefined && (real === '/' || index.entries.has(real))) return real
      const dir = resolve(posix.dirname(path))
      return dir === undefined ? mount(path) : posix.join(dir, posix.basename(path))
    },
    entry,
    list: (dir) => {
      const real = resolve(dir)
      if (real === undefined || (real !== '/' && index.entries.get(real)?.type !== 'dir')) return undefined
      const unlisted = index.problems.find((p) => p.path === real && p.unread)
      if (unlisted) missed(real, unlisted.message)
      return children.get(real) ?? []
    },
    read,
    text: (path) => {
      const w = walk(path)
      if (w.text === null) {
        const body = readWalked(w)
        w.text = body === undefined ? undefined : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')
      }
      return w.text
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
