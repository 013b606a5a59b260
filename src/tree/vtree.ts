import { posix } from 'node:path'
import { Volume } from 'memfs'

/**
 * A virtual file tree: memfs holds names, contents, symlink targets and hard links; the
 * metadata osbuild cares about (mode, owner, SELinux label) lives beside it, keyed by inode.
 * memfs checks permissions like an unprivileged process and has no xattrs, so its own mode
 * bits stay wide open and are never reported.
 */
export interface Tree {
  readonly vol: Volume
  readonly meta: Map<number, Meta>
}

/** `mode` is the permission part only (07777). Symlinks report 0777 like Linux. */
export interface Meta {
  mode: number
  uid: number
  gid: number
  label?: string
}

export type EntryType = 'file' | 'dir' | 'symlink'

/** One path as `walk` reports it. `hardlinkOf` is the first path (in walk order) of the same inode. */
export interface Entry {
  path: string
  type: EntryType
  mode: number
  uid: number
  gid: number
  size: number
  target?: string
  label?: string
  hardlinkOf?: string
}

/** What `getNode` knows about one path. */
export interface Node extends Meta {
  type: EntryType
  ino: number
  size: number
  nlink: number
  target?: string
}

export type FsCode = 'ENOENT' | 'ENOTDIR' | 'EEXIST' | 'EISDIR' | 'ELOOP' | 'EXDEV' | 'EPERM' | 'EINVAL'

/** Errors from tree operations carry an errno-like code, so stages can tell "missing" from "wrong". */
export interface FsError extends Error {
  code: FsCode
  path: string
  reason: string
}

export function fsError(code: FsCode, path: string, reason: string): FsError {
  return Object.assign(new Error(`${path}: ${reason}`), { code, path, reason })
}

export function isFsError(e: unknown, code?: FsCode): e is FsError {
  return e instanceof Error && typeof (e as FsError).path === 'string' && (code === undefined || (e as FsError).code === code)
}

const ROOT_META: Meta = { mode: 0o755, uid: 0, gid: 0 }
const OPEN_DIR = 0o777
const OPEN_FILE = 0o666

export function emptyTree(root: Meta = ROOT_META): Tree {
  const vol = new Volume()
  vol.chmodSync('/', OPEN_DIR)
  const tree: Tree = { vol, meta: new Map() }
  tree.meta.set(ino(tree, '/'), { ...root })
  return tree
}

const ino = (tree: Tree, path: string): number => Number(tree.vol.lstatSync(path).ino)

/** The node at a canonical path (no symlinks among its parents), or undefined. */
export function getNode(tree: Tree, path: string): Node | undefined {
  let st
  try {
    st = tree.vol.lstatSync(path)
  } catch {
    return undefined
  }
  const type: EntryType = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file'
  const n = Number(st.ino)
  const meta = tree.meta.get(n) ?? { mode: type === 'dir' ? 0o755 : 0o644, uid: 0, gid: 0 }
  const node: Node = { type, ino: n, size: type === 'dir' ? 0 : Number(st.size), nlink: Number(st.nlink), ...meta }
  if (type === 'symlink') {
    node.target = String(tree.vol.readlinkSync(path))
    node.mode = 0o777
    node.size = Buffer.byteLength(node.target)
  }
  return node
}

/** Names in a directory, in byte order so every walk is the same. */
export function listDir(tree: Tree, path: string): string[] {
  return (tree.vol.readdirSync(path) as string[]).map(String).sort(byteOrder)
}

export const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b))

export interface ResolveOptions {
  /** Follow a symlink in the last component too. */
  follow?: boolean
  /**
   * Absolute link targets and `..` at the top stay inside the tree, as `systemctl --root`
   * resolves them. Otherwise they are an EXDEV error: inside osbuild the kernel resolves them
   * against the build root, which cannot be reproduced here.
   */
  chroot?: boolean
}

export interface Resolved {
  /** Canonical path: no symlinks among its parents (nor in the last component when following). */
  path: string
  node: Node | undefined
}

/**
 * Resolve `path` in the tree the way the kernel resolves it under a root. Missing or non-dir
 * parents are ENOENT/ENOTDIR; a missing last component is fine (node undefined).
 */
export function resolve(tree: Tree, path: string, options: ResolveOptions = {}): Resolved {
  const pending = path.split('/').filter((p) => p !== '' && p !== '.')
  let at = '/'
  let hops = 0
  while (pending.length > 0) {
    const name = pending.shift()!
    if (name === '..') {
      if (at === '/' && !options.chroot) throw fsError('EXDEV', path, '".." leaves the tree')
      at = posix.dirname(at)
      continue
    }
    const next = posix.join(at, name)
    const node = getNode(tree, next)
    const last = pending.length === 0
    if (!node) {
      if (last) return { path: next, node: undefined }
      throw fsError('ENOENT', path, `no such directory ${next}`)
    }
    if (node.type === 'symlink' && (!last || options.follow)) {
      if (++hops > 40) throw fsError('ELOOP', path, 'too many levels of symbolic links')
      const target = node.target!
      if (target.startsWith('/')) {
        if (!options.chroot) throw fsError('EXDEV', path, `${next} is an absolute symlink (${target}); osbuild would follow it into the build root`)
        at = '/'
      }
      pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'))
      continue
    }
    if (!last && node.type !== 'dir') throw fsError('ENOTDIR', path, `${next} is not a directory`)
    at = next
    if (last) return { path: at, node }
  }
  return { path: at, node: getNode(tree, at) }
}

/** The canonical parent directory of `path` plus the last name; the parent must exist. */
export function resolveParent(tree: Tree, path: string, options: ResolveOptions = {}): { dir: string; name: string } {
  const name = posix.basename(path)
  const parent = resolve(tree, posix.dirname(path), { ...options, follow: true })
  if (!parent.node) throw fsError('ENOENT', path, `no such directory ${posix.dirname(path)}`)
  if (parent.node.type !== 'dir') throw fsError('ENOTDIR', path, `${posix.dirname(path)} is not a directory`)
  return { dir: parent.path, name }
}

function fresh(tree: Tree, path: string, meta: Meta): void {
  const m: Meta = { mode: meta.mode & 0o7777, uid: meta.uid, gid: meta.gid }
  if (meta.label !== undefined) m.label = meta.label
  tree.meta.set(ino(tree, path), m)
}

/** Create a directory at a canonical path whose parent exists. */
export function createDir(tree: Tree, path: string, meta: Meta): void {
  tree.vol.mkdirSync(path, { mode: OPEN_DIR })
  fresh(tree, path, meta)
}

/** Create a regular file (the path must be free). */
export function createFile(tree: Tree, path: string, data: Uint8Array, meta: Meta): void {
  tree.vol.writeFileSync(path, data, { flag: 'wx', mode: OPEN_FILE })
  fresh(tree, path, meta)
}

/** Replace the contents of an existing regular file in place: inode, mode, owner and label stay. */
export function overwriteFile(tree: Tree, path: string, data: Uint8Array): void {
  tree.vol.writeFileSync(path, data)
}

export function createSymlink(tree: Tree, path: string, target: string, owner: { uid: number; gid: number } = ROOT_META): void {
  tree.vol.symlinkSync(target, path)
  fresh(tree, path, { mode: 0o777, uid: owner.uid, gid: owner.gid })
}

export function createHardlink(tree: Tree, existing: string, path: string): void {
  tree.vol.linkSync(existing, path)
}

/** Remove a path; directories go with everything below them. */
export function removePath(tree: Tree, path: string): void {
  const node = getNode(tree, path)
  if (!node) return
  if (node.type === 'dir') tree.vol.rmSync(path, { recursive: true, force: true })
  else tree.vol.unlinkSync(path)
}

export function setMeta(tree: Tree, path: string, patch: Partial<Meta>): void {
  const n = ino(tree, path)
  const have = tree.meta.get(n) ?? { mode: 0o644, uid: 0, gid: 0 }
  const next = { ...have, ...patch }
  if (patch.mode !== undefined) next.mode = patch.mode & 0o7777
  tree.meta.set(n, next)
}

/** Contents of a canonical regular file. */
export function readBytes(tree: Tree, path: string): Buffer {
  return Buffer.from(tree.vol.readFileSync(path) as Buffer)
}

/** Contents of the file at `path`, following symlinks as a chroot would (for callers outside stages). */
export function readFile(tree: Tree, path: string): Buffer {
  const { path: at, node } = resolve(tree, path, { follow: true, chroot: true })
  if (!node) throw fsError('ENOENT', path, 'no such file')
  if (node.type !== 'file') throw fsError('EISDIR', path, 'not a regular file')
  return readBytes(tree, at)
}

/** Every path under `from` (itself included), parents before children, names in byte order. */
export function walk(tree: Tree, from = '/'): Entry[] {
  const out: Entry[] = []
  const firstPath = new Map<number, string>()
  const visit = (path: string): void => {
    const node = getNode(tree, path)
    if (!node) return
    const entry: Entry = { path, type: node.type, mode: node.mode, uid: node.uid, gid: node.gid, size: node.size }
    if (node.target !== undefined) entry.target = node.target
    if (node.label !== undefined) entry.label = node.label
    if (node.type === 'file') {
      const first = firstPath.get(node.ino)
      if (first !== undefined) entry.hardlinkOf = first
      else firstPath.set(node.ino, path)
    }
    out.push(entry)
    if (node.type === 'dir') for (const name of listDir(tree, path)) visit(posix.join(path, name))
  }
  visit(from)
  return out
}

/**
 * Copy everything of `from` over `into` (both from their roots), as unpacking the seed would:
 * directories merge and take the seed's metadata, anything else is replaced.
 */
export function overlayTree(into: Tree, from: Tree): void {
  const linked = new Map<string, string>()
  for (const entry of walk(from)) {
    const have = getNode(into, entry.path)
    const meta = entryMeta(entry)
    if (entry.path === '/') {
      setMeta(into, '/', meta)
      continue
    }
    if (have && !(have.type === 'dir' && entry.type === 'dir')) removePath(into, entry.path)
    if (entry.type === 'dir') {
      if (have?.type === 'dir') setMeta(into, entry.path, meta)
      else createDir(into, entry.path, meta)
    } else if (entry.type === 'symlink') {
      createSymlink(into, entry.path, entry.target!, meta)
      setMeta(into, entry.path, meta)
    } else if (entry.hardlinkOf !== undefined && linked.has(entry.hardlinkOf)) {
      createHardlink(into, linked.get(entry.hardlinkOf)!, entry.path)
    } else {
      createFile(into, entry.path, readBytes(from, entry.path), meta)
      linked.set(entry.path, entry.path)
    }
  }
}

export function entryMeta(entry: Pick<Entry, 'mode' | 'uid' | 'gid' | 'label'>): Meta {
  const meta: Meta = { mode: entry.mode, uid: entry.uid, gid: entry.gid }
  if (entry.label !== undefined) meta.label = entry.label
  return meta
}
