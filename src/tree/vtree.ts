import { posix } from 'node:path'
import { Volume } from 'memfs'
import type { Entry } from '../archive/types.ts'
import { byteOrder } from '../byte-order.ts'

/**
 * A virtual file tree: memfs holds names, symlink targets, hard links and the bytes of files the
 * stages write; the metadata osbuild cares about (mode, owner, SELinux label) lives beside it,
 * keyed by inode. memfs checks permissions like an unprivileged process and has no xattrs, so
 * its own mode bits stay wide open and are never reported.
 *
 * A seed's files keep their bytes where they are: memfs holds an empty file, and `contents`
 * says where the bytes are (a span of a tar, a file of a directory), read on demand and streamed
 * to the output. memfs has no device nodes or FIFOs either: an empty file stands in for each,
 * and `specials` says what it is.
 */
export interface Tree {
  readonly vol: Volume
  /** The root's link: memfs's, or a seed table's (see `tableTree`). */
  readonly root: MemLink
  readonly meta: MetaTable
  readonly contents: ContentTable
  readonly specials: Map<number, Special>
  /**
   * Directories copied from a finished tree and not yet made: an empty memfs directory (its own metadata)
   * whose entries are read from the other tree's directory, by the memfs inode. See `shareDir`.
   */
  readonly shared: Map<number, Share>
  /** What was set on entries read through `shared` (by their inode here), where it differs from theirs. */
  readonly sharedMeta: Map<number, { mode: number; uid: number; gid: number }>
  readonly sharedLabels: Map<number, string | undefined>
  /** Its pipeline has finished: its directories may be shared by copies instead of copied. */
  finished: boolean
  /** Other trees read entries from it: it must not change again. */
  lent: boolean
}

/**
 * A directory of a finished tree standing for its copy: `cp -a` of a seeded QM tree is tens of thousands of
 * entries, and osbuild's next stage usually only relabels them. Reading through it gives what the copy would
 * hold; changing anything below it makes the copy first, one directory level at a time.
 */
export interface Share {
  readonly from: Tree
  readonly path: string
  /**
   * Added to `from`'s inode numbers, so the copy's inodes are its own and its hard links stay among themselves;
   * `bases` does the same for inodes `from` itself reads through its shares (`base` of 2^32 and up). The
   * directories of one copy share both.
   */
  readonly base: number
  readonly bases: Map<number, number>
}

/** `mode` is the permission part only (07777). Symlinks report 0777 like Linux. */
export interface Meta {
  mode: number
  uid: number
  gid: number
  label?: string
}

/**
 * Mode, owner and label by inode number, in typed arrays (labels as an index into the few distinct ones): a
 * seeded tree has tens of thousands of inodes, and an object and a map entry each cost four times as much.
 */
export class MetaTable {
  private mode = new Uint16Array(0)
  private uid = new Float64Array(0)
  private gid = new Float64Array(0)
  /** 0: no label; n: labels[n - 1] */
  private label = new Uint32Array(0)
  private readonly labels: string[] = []
  private readonly labelIndex = new Map<string, number>()

  get(ino: number): Meta | undefined {
    const mode = ino < this.mode.length ? this.mode[ino]! : 0
    if (!(mode & PRESENT)) return undefined
    const meta: Meta = { mode: mode & 0o7777, uid: this.uid[ino]!, gid: this.gid[ino]! }
    const label = this.label[ino]!
    if (label !== 0) meta.label = this.labels[label - 1]!
    return meta
  }

  set(ino: number, meta: Meta): void {
    if (ino >= this.mode.length) this.grow(ino)
    this.mode[ino] = PRESENT | (meta.mode & 0o7777)
    this.uid[ino] = meta.uid
    this.gid[ino] = meta.gid
    let label = 0
    if (meta.label !== undefined) {
      label = this.labelIndex.get(meta.label) ?? 0
      if (label === 0) this.labelIndex.set(meta.label, (label = this.labels.push(meta.label)))
    }
    this.label[ino] = label
  }

  delete(ino: number): void {
    if (ino < this.mode.length) this.mode[ino] = 0
  }

  private grow(ino: number): void {
    const size = Math.max(64, ino + 1, this.mode.length * 2)
    const more = <T extends Uint16Array | Float64Array | Uint32Array>(a: T, b: T): T => (b.set(a), b)
    this.mode = more(this.mode, new Uint16Array(size))
    this.uid = more(this.uid, new Float64Array(size))
    this.gid = more(this.gid, new Float64Array(size))
    this.label = more(this.label, new Uint32Array(size))
  }
}
const PRESENT = 0x8000

/** Somewhere bytes can be read from by position: a tar, a spilled decompressed tar, one file on disk. */
export interface ByteSource {
  /** For messages: the file the bytes come from. */
  readonly name: string
  /** Read `length` bytes at `position` into `into[at..]`; fails when fewer are there. */
  read(into: Uint8Array, at: number, length: number, position: number): void
}

/** A file's bytes, outside memory: `size` bytes at `offset` of `source`. */
export interface Content {
  readonly source: ByteSource
  readonly offset: number
  readonly size: number
}

/** Where each file's bytes are, by inode number, in typed arrays (the sources, a seed's one or two files, by index). */
export class ContentTable {
  private offset = new Float64Array(0)
  /** -1: none */
  private length = new Float64Array(0)
  private source = new Uint32Array(0)
  private readonly sources: ByteSource[] = []
  private readonly sourceIndex = new Map<ByteSource, number>()
  private count = 0

  /** How many files have their bytes outside memory. */
  get size(): number {
    return this.count
  }

  get(ino: number): Content | undefined {
    if (!(ino < this.length.length) || this.length[ino]! < 0) return undefined
    return { source: this.sources[this.source[ino]!]!, offset: this.offset[ino]!, size: this.length[ino]! }
  }

  set(ino: number, content: Content): void {
    if (ino >= this.length.length) this.grow(ino)
    if (this.length[ino]! < 0) this.count++
    let i = this.sourceIndex.get(content.source)
    if (i === undefined) this.sourceIndex.set(content.source, (i = this.sources.push(content.source) - 1))
    this.source[ino] = i
    this.offset[ino] = content.offset
    this.length[ino] = content.size
  }

  delete(ino: number): void {
    if (!(ino < this.length.length) || this.length[ino]! < 0) return
    this.length[ino] = -1
    this.count--
  }

  private grow(ino: number): void {
    const size = Math.max(64, ino + 1, this.length.length * 2)
    const offset = new Float64Array(size)
    offset.set(this.offset)
    const length = new Float64Array(size).fill(-1)
    length.set(this.length)
    const source = new Uint32Array(size)
    source.set(this.source)
    this.offset = offset
    this.length = length
    this.source = source
  }
}

export type SpecialType = 'char' | 'block' | 'fifo'

/** A device node or FIFO. Overlay whiteouts are character devices 0:0. */
export interface Special {
  type: SpecialType
  major: number
  minor: number
}

export type NodeType = 'file' | 'dir' | 'symlink' | SpecialType

/**
 * One path as `walk` reports it: the archive layer's Entry, so a virtual tree reads as an archive does. A path
 * of an inode seen before in walk order is a 'hardlink' whose `target` is that first path (size 0).
 */
export type { Entry }

/** What `getNode` knows about one path. */
export interface Node extends Meta {
  type: NodeType
  ino: number
  size: number
  nlink: number
  target?: string
  major?: number
  minor?: number
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

/**
 * memfs asks its `process` for the uid and gid on every node it makes and every path it walks;
 * the real process.getuid() is a system call each time. These never change while we run.
 */
let fixedProcess: object | undefined
function memfsProcess(): object {
  const uid = process.getuid?.() ?? 0
  const gid = process.getgid?.() ?? 0
  fixedProcess ??= { getuid: () => uid, getgid: () => gid, cwd: () => '/', platform: 'linux', env: {}, emitWarning: () => {} }
  return fixedProcess
}

export function emptyTree(root: Meta = ROOT_META): Tree {
  const vol = Volume.fromNestedJSON({}, '/', { process: memfsProcess() as never })
  leanNodes(vol)
  vol.chmodSync('/', OPEN_DIR)
  // every tree has the same fields from the start: lookups see one object shape, not one per flag set later
  const tree: Tree = { vol, root: core({ vol } as Tree).root, meta: new MetaTable(), contents: new ContentTable(), specials: new Map(), shared: new Map(), sharedMeta: new Map(), sharedLabels: new Map(), finished: false, lent: false }
  tree.meta.set(ino(tree, '/'), { ...root })
  return tree
}

/**
 * A finished, read-only tree whose links are not memfs's (a seed's table, see seed-table.ts): other trees read
 * it through shared directories only.
 */
export function tableTree(root: MemLink, meta: MetaTable, contents: ContentTable, specials: Map<number, Special>, hardLinks: string[][]): Tree {
  const vol = Volume.fromNestedJSON({}, '/', { process: memfsProcess() as never })
  const tree: Tree = { vol, root, meta, contents, specials, shared: new Map(), sharedMeta: new Map(), sharedLabels: new Map(), finished: true, lent: true }
  linkedPaths.set(tree, hardLinks)
  return tree
}

/** A tree that reads as `from` does, with nothing of its own yet: every change below its root makes that part its own. */
export function viewOf(from: Tree): Tree {
  const tree = emptyTree(from.meta.get(from.root.getNode().ino))
  if (!shareDir(tree, '/', from, '/')) throw new Error('a tree cannot be shared')
  return tree
}

/** Hard-linked inodes of a finished tree, each with all its paths (found once: the tree no longer changes). */
const linkedPaths = new WeakMap<Tree, string[][]>()

// ---- reading memfs's own structures ----------------------------------------------------------
// Stages look paths up tens of thousands of times on a seeded tree. memfs's path API builds a
// Stats object and checks access for each; its core (Superblock, Link, Node: exported in its types)
// answers the same from the objects it already has.

/** A node as vtree reads it: memfs's own, or a seed table's view of one entry (which cannot be written). */
export interface MemNode {
  ino: number
  mode: number
  size: number
  nlink: number
  symlink?: string
  buf: Buffer
  /** memfs's own setter under its copying `setBuffer`: keeps `buf` itself */
  _setBuf(buf: Buffer): void
}
/** A name's link as vtree reads it. Only a tree's own (memfs) links are ever changed. */
export interface MemLink {
  readonly children: Children
  getNode(): MemNode
}
/** A directory's entries by name: memfs's Map, or a seed table's sorted entries. */
export interface Children {
  get(name: string): MemLink | undefined
  has(name: string): boolean
  keys(): IterableIterator<string>
  readonly size: number
}
interface MemCore {
  root: MemLink
  getLink(steps: string[]): MemLink | null
  createLink(parent: MemLink, name: string, isDirectory: boolean, mode: number): MemLink
}

export const S_IFMT = 0o170000
export const S_IFDIR = 0o040000
export const S_IFLNK = 0o120000
export const S_IFREG = 0o100000

const core = (tree: Tree): MemCore => (tree.vol as unknown as { _core: MemCore })._core

/**
 * The link at a path of the tree's own links, or undefined (missing, or a parent is not a directory). Steps
 * down the children maps itself (memfs's own walk stamps an access time on every directory it passes); a
 * symlink among the parents is left to memfs to resolve.
 */
function linkAt(tree: Tree, path: string): MemLink | undefined {
  let link = tree.root
  for (let start = 1, n = path.length; start < n; ) {
    let end = path.indexOf('/', start)
    if (end === -1) end = n
    if (end > start) {
      const kind = link.getNode().mode & S_IFMT
      if (kind === S_IFLNK) return viaMemfs(tree, path)
      if (kind !== S_IFDIR) return undefined
      const next = link.children.get(path.slice(start, end))
      if (!next) return undefined
      link = next
    }
    start = end + 1
  }
  return link
}

/**
 * Where a path's link is: in the tree itself, or below a directory shared from another tree (`share`), where it
 * is in that tree (`inner`, which may itself lie below a directory that tree shares). `link` is the innermost.
 */
interface Located {
  link: MemLink
  share: Share | undefined
  inner: Located | undefined
}

/** A location in the tree itself. Every Located has all three fields: lookups see one object shape. */
const here = (link: MemLink): Located => ({ link, share: undefined, inner: undefined })

/** `linkAt` through shared directories: for reading. Changes go through `own` first. */
function locate(tree: Tree, path: string): Located | undefined {
  if (tree.shared.size === 0) {
    const link = linkAt(tree, path)
    return link ? here(link) : undefined
  }
  let link = tree.root
  for (let start = 1, n = path.length; start < n; ) {
    let end = path.indexOf('/', start)
    if (end === -1) end = n
    if (end > start) {
      const node = link.getNode()
      const kind = node.mode & S_IFMT
      const share = kind === S_IFDIR ? tree.shared.get(node.ino) : undefined
      if (share) return through(share, path.slice(start - 1))
      if (kind === S_IFLNK) {
        // a symlink among the parents is left to memfs, which knows nothing of shared directories
        if (tree.lent) return undefined
        own(tree, path)
        const resolved = viaMemfs(tree, path)
        return resolved ? here(resolved) : undefined
      }
      if (kind !== S_IFDIR) return undefined
      const next = link.children.get(path.slice(start, end))
      if (!next) return undefined
      link = next
    }
    start = end + 1
  }
  return here(link)
}

/** `rest` ('' or '/a/b') below the directory `share` stands for. */
function through(share: Share, rest: string): Located | undefined {
  const inner = locate(share.from, share.path === '/' ? rest || '/' : share.path + rest)
  return inner ? { link: inner.link, share, inner } : undefined
}

/** The location whose link holds the children a located directory lists: a shared one's are in the tree it is shared from. */
function listing(tree: Tree, at: Located): Located {
  if (at.share) {
    const inner = listing(at.share.from, at.inner!)
    return inner === at.inner ? at : { link: inner.link, share: at.share, inner }
  }
  const share = tree.shared.size > 0 ? tree.shared.get(at.link.getNode().ino) : undefined
  if (!share) return at
  const inner = listing(share.from, locate(share.from, share.path)!)
  return { link: inner.link, share, inner }
}

/** The entry `name` of a directory's listing. */
function child(dir: Located, name: string): Located | undefined {
  if (dir.share) {
    const inner = child(dir.inner!, name)
    return inner && { link: inner.link, share: dir.share, inner }
  }
  const link = dir.link.children.get(name)
  return link && here(link)
}

/** The tree a located entry's node belongs to, and that node: where its bytes are. */
function innermost(tree: Tree, at: Located): { tree: Tree; node: MemNode } {
  while (at.share) {
    tree = at.share.from
    at = at.inner!
  }
  return { tree, node: at.link.getNode() }
}

function viaMemfs(tree: Tree, path: string): MemLink | undefined {
  try {
    return core(tree).getLink(path.split('/').filter(Boolean)) ?? undefined
  } catch {
    return undefined
  }
}

/**
 * memfs gives every node and link its own change emitter (a Set inside), four Dates and, for every link, a
 * children Map: three quarters of what a seeded tree's 60,000 entries cost. Nothing listens for changes
 * here, times are never reported, and only directories have children, so these are shared instead. (memfs
 * replaces a Date when it touches a node; it never mutates one.)
 */
const SHARED_EMITTER = { emit: () => {}, listen: () => () => {} }
const EPOCH = new Date(0)
class NoChildren extends Map<string, MemLink | undefined> {
  override set(): this {
    throw new Error('a non-directory has no children')
  }
}
const NO_CHILDREN = new NoChildren()

function slim(link: MemLink): MemLink {
  const l = link as unknown as { changes: unknown; children: Map<string, unknown> }
  const n = link.getNode() as unknown as Record<'changes' | '_atime' | '_mtime' | '_ctime' | '_btime', unknown> & MemNode
  l.changes = SHARED_EMITTER
  n.changes = SHARED_EMITTER
  n._atime = n._mtime = n._ctime = n._btime = EPOCH
  if ((n.mode & S_IFMT) !== S_IFDIR && l.children.size === 0) l.children = NO_CHILDREN
  return link
}

/**
 * memfs's Node constructor asks the real process for the uid and gid (a system call each) and makes an
 * emitter and four Dates that `slim` would throw away: the volume makes its nodes this way instead, with
 * the same fields.
 */
function leanNodes(vol: Volume): void {
  const c = (vol as unknown as { _core: MemCore & { newInoNumber(): number; inodes: Record<number, MemNode> } })._core
  lazySteps(c.root)
  const proto = Object.getPrototypeOf(c.root.getNode()) as object
  const { getuid, getgid } = memfsProcess() as { getuid(): number; getgid(): number }
  const uid = getuid()
  const gid = getgid()
  ;(c as unknown as { createNode(mode: number): MemNode }).createNode = (mode: number): MemNode => {
    const node = Object.create(proto) as Record<string, unknown>
    node.changes = SHARED_EMITTER
    node._uid = uid
    node._gid = gid
    node._atime = node._mtime = node._ctime = node._btime = EPOCH
    node.buf = EMPTY_BUFFER
    node.capacity = 0
    node.size = 0
    node.rdev = 0
    node._nlink = 1
    node.mode = mode
    node.ino = c.newInoNumber()
    c.inodes[node.ino as number] = node as unknown as MemNode
    return node as unknown as MemNode
  }
}
const EMPTY_BUFFER = Buffer.alloc(0)

/**
 * Every memfs link keeps its whole path as an array of names (`steps`), rebuilt from its parent's when made:
 * about a hundred bytes per entry that vtree never reads (it walks `children` itself). memfs reads them only
 * for messages, events and renames, so they are worked out from the parents when asked for instead.
 */
interface Named {
  parent?: Named
  name: string
}
let stepsAreLazy = false
function lazySteps(root: MemLink): void {
  if (stepsAreLazy) return
  stepsAreLazy = true
  const proto = Object.getPrototypeOf(root) as object
  Object.defineProperty(proto, '_steps', {
    configurable: true,
    get(this: Named) {
      const names: string[] = []
      // the root is its own parent
      for (let l = this; ; l = l.parent!) {
        names.push(l.name)
        if (!l.parent || l.parent === l) break
      }
      return names.reverse()
    },
    set() {},
  })
  ;(proto as { syncSteps(): void }).syncSteps = () => {}
}

/** A new entry `name` in the directory at `path`'s parent, made by memfs's core: no descriptor opened and closed. */
function newLink(tree: Tree, path: string, isDirectory: boolean): MemLink {
  const slash = path.lastIndexOf('/')
  const name = path.slice(slash + 1)
  const parent = linkAt(tree, slash === 0 ? '/' : path.slice(0, slash))
  if (!parent) throw fsError('ENOENT', path, `no such directory ${posix.dirname(path)}`)
  if ((parent.getNode().mode & S_IFMT) !== S_IFDIR) throw fsError('ENOTDIR', path, `${posix.dirname(path)} is not a directory`)
  if (name === '' || name === '.' || name === '..' || parent.children.has(name)) throw fsError('EEXIST', path, 'file exists')
  return slim(core(tree).createLink(parent, name, isDirectory, isDirectory ? OPEN_DIR | S_IFDIR : OPEN_FILE | S_IFREG))
}

const ino = (tree: Tree, path: string): number => {
  const link = linkAt(tree, path)
  if (!link) throw fsError('ENOENT', path, 'no such file or directory')
  return link.getNode().ino
}

function nodeOf(tree: Tree, n: MemNode): Node {
  const kind = n.mode & S_IFMT
  const special = kind === S_IFDIR || kind === S_IFLNK ? undefined : tree.specials.get(n.ino)
  const type: NodeType = kind === S_IFDIR ? 'dir' : kind === S_IFLNK ? 'symlink' : special ? special.type : 'file'
  const meta = tree.meta.get(n.ino) ?? { mode: type === 'dir' ? 0o755 : 0o644, uid: 0, gid: 0 }
  let size = 0
  if (type === 'file') size = tree.contents.get(n.ino)?.size ?? n.size
  // every field, one by one, not spread: every node read gets the same shape
  const node: Node = { type, ino: n.ino, size, nlink: n.nlink, mode: meta.mode, uid: meta.uid, gid: meta.gid, label: meta.label, target: undefined, major: undefined, minor: undefined }
  if (type === 'symlink') {
    node.target = String(n.symlink)
    node.mode = 0o777
    node.size = Buffer.byteLength(node.target)
  } else if (special) {
    node.major = special.major
    node.minor = special.minor
  }
  return node
}

/** A node read through a shared directory: the other tree's `node` (as that tree reads it), changed in place to this tree's inode number and what was set here. */
function sharedNode(tree: Tree, share: Share, node: Node): Node {
  node.ino = viewIno(share, node.ino)
  const meta = tree.sharedMeta.get(node.ino)
  if (meta) {
    if (node.type !== 'symlink') node.mode = meta.mode
    node.uid = meta.uid
    node.gid = meta.gid
  }
  if (tree.sharedLabels.has(node.ino)) node.label = tree.sharedLabels.get(node.ino)
  return node
}

const INO_SPAN = 2 ** 32
let nextBase = INO_SPAN

/** The inode number, in the tree a share is in, of inode `ino` of the tree it is shared from. */
function viewIno(share: Share, ino: number): number {
  if (ino < INO_SPAN) return share.base + ino
  const high = Math.floor(ino / INO_SPAN)
  let base = share.bases.get(high)
  if (base === undefined) share.bases.set(high, (base = newBase()))
  return base + (ino - high * INO_SPAN)
}

function newBase(): number {
  const base = nextBase
  nextBase += INO_SPAN
  return base
}

const nodeAt = (tree: Tree, at: Located): Node => (at.share ? sharedNode(tree, at.share, nodeAt(at.share.from, at.inner!)) : nodeOf(tree, at.link.getNode()))

/** The node at a canonical path (no symlinks among its parents), or undefined. */
export function getNode(tree: Tree, path: string): Node | undefined {
  const at = locate(tree, path)
  return at ? nodeAt(tree, at) : undefined
}

/** Names in a link's directory, in byte order. */
function namesOf(link: MemLink): string[] {
  const names: string[] = []
  for (const name of link.children.keys()) if (name !== '.' && name !== '..') names.push(name)
  return names.sort(byteOrder)
}

/** Names in a directory, in byte order so every walk is the same. */
export function listDir(tree: Tree, path: string): string[] {
  const at = locate(tree, path)
  if (!at) throw fsError('ENOENT', path, 'no such directory')
  if ((at.link.getNode().mode & S_IFMT) !== S_IFDIR) throw fsError('ENOTDIR', path, 'not a directory')
  return namesOf(listing(tree, at).link)
}

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
  // where each directory of `at` is, root first: each name is looked up in the directory it is in, not from the root
  const dirs: Located[] = [locate(tree, '/')!]
  let hops = 0
  while (pending.length > 0) {
    const name = pending.shift()!
    if (name === '..') {
      if (at === '/' && !options.chroot) throw fsError('EXDEV', path, '".." leaves the tree')
      at = posix.dirname(at)
      if (dirs.length > 1) dirs.pop()
      continue
    }
    const next = at === '/' ? `/${name}` : `${at}/${name}`
    const found = child(listing(tree, dirs[dirs.length - 1]!), name)
    const node = found && nodeAt(tree, found)
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
        dirs.length = 1
      }
      pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'))
      continue
    }
    if (!last && node.type !== 'dir') throw fsError('ENOTDIR', path, `${next} is not a directory`)
    at = next
    if (last) return { path: at, node }
    dirs.push(found)
  }
  // ended on a directory already located: the root, or where a '..' or a link's target left it
  return { path: at, node: nodeAt(tree, dirs[dirs.length - 1]!) }
}

/** The canonical parent directory of `path` plus the last name; the parent must exist. */
export function resolveParent(tree: Tree, path: string, options: ResolveOptions = {}): { dir: string; name: string } {
  const name = posix.basename(path)
  const parent = resolve(tree, posix.dirname(path), { ...options, follow: true })
  if (!parent.node) throw fsError('ENOENT', path, `no such directory ${posix.dirname(path)}`)
  if (parent.node.type !== 'dir') throw fsError('ENOTDIR', path, `${posix.dirname(path)} is not a directory`)
  return { dir: parent.path, name }
}

function fresh(tree: Tree, path: string, meta: Meta, n = ino(tree, path)): number {
  const m: Meta = { mode: meta.mode & 0o7777, uid: meta.uid, gid: meta.gid }
  if (meta.label !== undefined) m.label = meta.label
  tree.meta.set(n, m)
  // memfs hands out the inode numbers of removed nodes again
  tree.contents.delete(n)
  tree.specials.delete(n)
  tree.shared.delete(n)
  return n
}

/** Create a directory at a canonical path whose parent exists. */
export function createDir(tree: Tree, path: string, meta: Meta): void {
  own(tree, path)
  fresh(tree, path, meta, newLink(tree, path, true).getNode().ino)
}

/** A file's bytes: in memory, or where they are. */
export type Body = Uint8Array | Content

const isContent = (body: Body): body is Content => !(body instanceof Uint8Array)

/** Create a regular file (the path must be free). */
export function createFile(tree: Tree, path: string, data: Body, meta: Meta): void {
  own(tree, path)
  const node = newLink(tree, path, false).getNode()
  fresh(tree, path, meta, node.ino)
  if (isContent(data)) tree.contents.set(node.ino, data)
  else if (data.length > 0) keepBytes(node, data)
}

/** Replace the contents of an existing regular file in place: inode, mode, owner and label stay. */
export function overwriteFile(tree: Tree, path: string, data: Body): void {
  own(tree, path)
  const link = linkAt(tree, path)
  if (!link) throw fsError('ENOENT', path, 'no such file')
  const node = link.getNode()
  if ((node.mode & S_IFMT) !== S_IFREG || tree.specials.has(node.ino)) throw fsError('EISDIR', path, 'not a regular file')
  keepBytes(node, isContent(data) ? EMPTY : data)
  if (isContent(data)) tree.contents.set(node.ino, data)
  else tree.contents.delete(node.ino)
}

const EMPTY = new Uint8Array(0)

/**
 * A file's bytes in memory never change once the tree has them: a write replaces them whole. So they are kept as
 * given, not copied: a copied file shares them, as a reflink would, and reading them takes no copy either.
 */
function keepBytes(node: MemNode, data: Uint8Array): void {
  node._setBuf(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength))
}

export function createSymlink(tree: Tree, path: string, target: string, owner: { uid: number; gid: number } = ROOT_META): void {
  own(tree, path)
  tree.vol.symlinkSync(target, path)
  fresh(tree, path, { mode: 0o777, uid: owner.uid, gid: owner.gid }, slim(linkAt(tree, path)!).getNode().ino)
}

/** Create a device node or FIFO (the path must be free): an empty memfs file, and what it stands for. */
export function createSpecial(tree: Tree, path: string, special: Special, meta: Meta): void {
  own(tree, path)
  const n = fresh(tree, path, meta, newLink(tree, path, false).getNode().ino)
  tree.specials.set(n, { type: special.type, major: special.major, minor: special.minor })
}

export function createHardlink(tree: Tree, existing: string, path: string): void {
  own(tree, existing)
  own(tree, path)
  tree.vol.linkSync(existing, path)
  slim(linkAt(tree, path)!)
}

/** Remove a path; directories go with everything below them. */
export function removePath(tree: Tree, path: string): void {
  own(tree, path)
  const node = getNode(tree, path)
  if (!node) return
  if (node.type === 'dir') tree.vol.rmSync(path, { recursive: true, force: true })
  else tree.vol.unlinkSync(path)
}

export function setMeta(tree: Tree, path: string, patch: Partial<Meta>): void {
  if (tree.lent) throw readOnly(path)
  const at = locate(tree, path)
  if (!at) throw fsError('ENOENT', path, 'no such file or directory')
  setMetaAt(tree, at, patch)
}

function setMetaAt(tree: Tree, at: Located, patch: Partial<Meta>): void {
  if (at.share) {
    const theirs = nodeAt(at.share.from, at.inner!)
    return setSharedMeta(tree, sharedNode(tree, at.share, { ...theirs }), theirs, patch)
  }
  const n = at.link.getNode().ino
  const have = tree.meta.get(n) ?? { mode: 0o644, uid: 0, gid: 0 }
  const next = { ...have, ...patch }
  if (patch.mode !== undefined) next.mode = patch.mode & 0o7777
  tree.meta.set(n, next)
}

/** Metadata set on an entry read through a shared directory (`have` here, `theirs` there): kept here, only where it differs from theirs. */
function setSharedMeta(tree: Tree, have: Node, theirs: Node, patch: Partial<Meta>): void {
  const i = have.ino
  const next = { mode: patch.mode === undefined ? have.mode : patch.mode & 0o7777, uid: patch.uid ?? have.uid, gid: patch.gid ?? have.gid }
  if (next.mode === theirs.mode && next.uid === theirs.uid && next.gid === theirs.gid) tree.sharedMeta.delete(i)
  else tree.sharedMeta.set(i, next)
  if ('label' in patch) {
    if (patch.label === theirs.label) tree.sharedLabels.delete(i)
    else tree.sharedLabels.set(i, patch.label)
  }
}

/** Where a canonical regular file's bytes are: a Content outside memory, or memfs's (never changed: see keepBytes). */
export function bodyOf(tree: Tree, path: string): Body {
  const at = locate(tree, path)
  if (!at) throw fsError('ENOENT', path, 'no such file')
  return bodyAt(tree, at, path)
}

function bodyAt(tree: Tree, at: Located, path: string): Body {
  const { tree: owner, node } = innermost(tree, at)
  if ((node.mode & S_IFMT) !== S_IFREG) throw fsError('EISDIR', path, 'not a regular file')
  return owner.contents.get(node.ino) ?? node.buf.subarray(0, node.size)
}

/** The bytes of a Content, read now (for the few files stages parse). */
export function readContent(content: Content): Buffer {
  const out = Buffer.allocUnsafe(content.size)
  if (content.size > 0) content.source.read(out, 0, content.size, content.offset)
  return out
}

/** Contents of a canonical regular file, wherever its bytes are. */
export function readBytes(tree: Tree, path: string): Buffer {
  const body = bodyOf(tree, path)
  return isContent(body) ? readContent(body) : Buffer.from(body)
}

/** Contents of the file at `path`, following symlinks as a chroot would (for callers outside stages). */
export function readFile(tree: Tree, path: string): Buffer {
  const { path: at, node } = resolve(tree, path, { follow: true, chroot: true })
  if (!node) throw fsError('ENOENT', path, 'no such file')
  if (node.type !== 'file') throw fsError('EISDIR', path, 'not a regular file')
  return readBytes(tree, at)
}

/**
 * Visit every path under `from` (itself included), parents before children, names in byte
 * order, without collecting them: a seeded tree has tens of thousands.
 */
export function eachEntry(tree: Tree, from: string, visit: (entry: Entry) => void): void {
  for (const entry of entries(tree, from)) visit(entry)
}

/** `eachEntry` as an iterator, for a writer that waits between entries; the tree must not change meanwhile. */
export const entries = (tree: Tree, from = '/'): Generator<Entry, void, undefined> => walkEntries(tree, from, (entry) => entry)

/** `entries` with each file's bytes, for an export, found where the walk is, not looked up again from the root. */
export const entriesToWrite = (tree: Tree): Generator<[Entry, Body | undefined], void, undefined> =>
  walkEntries(tree, '/', (entry, at) => [entry, entry.type === 'file' ? bodyAt(tree, at, entry.path) : undefined])

function* walkEntries<T>(tree: Tree, from: string, make: (entry: Entry, at: Located) => T): Generator<T, void, undefined> {
  const start = locate(tree, from)
  if (!start) return
  const firstPath = new Map<number, string>()
  // An explicit stack, so depth cannot overflow the call stack.
  const stack: [string, Located][] = [[from, start]]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [path, at] = top
    const node = nodeAt(tree, at)
    const first = node.type !== 'dir' && node.type !== 'symlink' && node.nlink > 1 ? firstPath.get(node.ino) : undefined
    const entry: Entry = { path, type: first === undefined ? node.type : 'hardlink', mode: node.mode, uid: node.uid, gid: node.gid, size: first === undefined ? node.size : 0 }
    if (first !== undefined) entry.target = first
    else if (node.target !== undefined) entry.target = node.target
    if (node.label !== undefined) entry.label = node.label
    if (node.major !== undefined && first === undefined) {
      entry.major = node.major
      entry.minor = node.minor!
    }
    if (first === undefined && node.type !== 'dir' && node.type !== 'symlink' && node.nlink > 1) firstPath.set(node.ino, path)
    yield make(entry, at)
    if (node.type === 'dir') pushEntries(tree, stack, path, at)
  }
}

/** The entries of the directory at `path` (located at `at`), pushed so that they pop in byte order. */
function pushEntries(tree: Tree, stack: [string, Located][], path: string, at: Located): void {
  const dir = listing(tree, at)
  const names = namesOf(dir.link)
  const prefix = path === '/' ? '/' : `${path}/`
  for (let i = names.length - 1; i >= 0; i--) stack.push([prefix + names[i]!, child(dir, names[i]!)!])
}

/**
 * Set what `patch` returns on every path under `from` (itself included), each looked up where the walk is: a
 * relabel of a seeded tree visits tens of thousands. `patch` sees the path and its node and returns the change
 * (undefined: none), or SKIP to leave the path and everything below it alone.
 */
export function updateEach(tree: Tree, from: string, patch: (path: string, node: Node) => Partial<Meta> | undefined | typeof SKIP): void {
  if (tree.lent) throw readOnly(from)
  const start = locate(tree, from)
  if (!start) throw fsError('ENOENT', from, 'no such file or directory')
  const stack: [string, Located][] = [[from, start]]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [path, at] = top
    const node = nodeAt(tree, at)
    const change = patch(path, node)
    if (change === SKIP) continue
    if (change !== undefined) setMetaAt(tree, at, change)
    if (node.type === 'dir') pushEntries(tree, stack, path, at)
  }
}
export const SKIP = Symbol('skip')

/** Every path under `from` (itself included), parents before children, names in byte order. */
export function walk(tree: Tree, from = '/'): Entry[] {
  const out: Entry[] = []
  eachEntry(tree, from, (e) => out.push(e))
  return out
}

/**
 * Copy everything of `from` over `into` (both from their roots), as unpacking the seed would:
 * directories merge and take the seed's metadata, anything else is replaced. File bytes are
 * not copied: both trees name the same content.
 */
export function overlayTree(into: Tree, from: Tree): void {
  eachEntry(from, '/', (entry) => {
    const have = getNode(into, entry.path)
    const meta = entryMeta(entry)
    if (entry.path === '/') {
      setMeta(into, '/', meta)
      return
    }
    if (have && !(have.type === 'dir' && entry.type === 'dir')) removePath(into, entry.path)
    if (entry.type === 'dir') {
      if (have?.type === 'dir') setMeta(into, entry.path, meta)
      else createDir(into, entry.path, meta)
    } else if (entry.type === 'symlink') {
      createSymlink(into, entry.path, entry.target!, meta)
      setMeta(into, entry.path, meta)
    } else if (entry.type === 'hardlink') {
      // its first path was made earlier in this walk
      createHardlink(into, entry.target!, entry.path)
    } else if (entry.type === 'file') {
      createFile(into, entry.path, bodyOf(from, entry.path), meta)
    } else {
      createSpecial(into, entry.path, { type: entry.type as SpecialType, major: entry.major!, minor: entry.minor! }, meta)
    }
  })
}

export function entryMeta(entry: Pick<Entry, 'mode' | 'uid' | 'gid' | 'label'>): Meta {
  const meta: Meta = { mode: entry.mode, uid: entry.uid, gid: entry.gid }
  if (entry.label !== undefined) meta.label = entry.label
  return meta
}

// ---- shared directories ------------------------------------------------------------------------

const readOnly = (path: string) => fsError('EPERM', path, 'read-only: the tree of a finished pipeline that other trees read from')

/**
 * Make `path` of `tree` (a directory just made there, empty) stand for a copy of the directory `fromPath` of the
 * finished tree `from`, as `cp -a` makes it. Refused (false: copy it instead) when a hard link joins the
 * directory's entries to something outside it (a copy would give them one inode only if both were copied together).
 */
export function shareDir(tree: Tree, path: string, from: Tree, fromPath: string): boolean {
  if (!from.finished || tree === from || tree.lent) return false
  const link = linkAt(tree, path)
  const source = locate(from, fromPath)
  if (!link || !source || (link.getNode().mode & S_IFMT) !== S_IFDIR || (source.link.getNode().mode & S_IFMT) !== S_IFDIR) return false
  if (link.children.size > 2 || !closed(from, fromPath)) return false
  from.lent = true
  tree.shared.set(link.getNode().ino, { from, path: fromPath, base: newBase(), bases: new Map() })
  return true
}

function closed(from: Tree, dir: string): boolean {
  if (dir === '/') return true
  let groups = linkedPaths.get(from)
  if (!groups) {
    // a walk names each inode's first path, then its other paths as hard links to that one
    const byFirst = new Map<string, string[]>()
    for (const e of entries(from)) {
      if (e.type !== 'hardlink') continue
      const paths = byFirst.get(e.target!)
      if (paths) paths.push(e.path)
      else byFirst.set(e.target!, [e.target!, e.path])
    }
    linkedPaths.set(from, (groups = [...byFirst.values()]))
  }
  const prefix = dir === '/' ? '/' : `${dir}/`
  for (const paths of groups) {
    let inside = 0
    for (const p of paths) if (p.startsWith(prefix)) inside++
    if (inside > 0 && inside < paths.length) return false
  }
  return true
}

/**
 * Before `path` (or what is below it) changes: the tree must not be lent, and every shared directory above
 * `path` is made, one level: its entries become the tree's own, its subdirectories shared in turn.
 */
function own(tree: Tree, path: string): void {
  if (tree.lent) throw readOnly(path)
  if (tree.shared.size === 0) return
  let link = tree.root
  let at = '/'
  for (let start = 1, n = path.length; start < n; ) {
    let end = path.indexOf('/', start)
    if (end === -1) end = n
    if (end > start) {
      const node = link.getNode()
      if ((node.mode & S_IFMT) !== S_IFDIR) return
      const share = tree.shared.get(node.ino)
      if (share) unshare(tree, at, node.ino, share)
      const name = path.slice(start, end)
      const next = link.children.get(name)
      if (!next) return
      link = next
      at = at === '/' ? `/${name}` : `${at}/${name}`
    }
    start = end + 1
  }
}

/** Make the shared directory `dir` the tree's own: its entries copied as `cp -a` copies them, with what was set on them. */
function unshare(tree: Tree, dir: string, dirIno: number, share: Share): void {
  tree.shared.delete(dirIno)
  const source = listing(share.from, locate(share.from, share.path)!)
  fill(tree, dir, share, share.path, source, new Map())
}

function fill(tree: Tree, dir: string, share: Share, fromDir: string, source: Located, links: Map<number, string>): void {
  const prefix = dir === '/' ? '/' : `${dir}/`
  const fromPrefix = fromDir === '/' ? '/' : `${fromDir}/`
  for (const name of namesOf(source.link)) {
    const inner = child(source, name)!
    const node = sharedNode(tree, share, nodeAt(share.from, inner))
    const path = prefix + name
    tree.sharedMeta.delete(node.ino)
    tree.sharedLabels.delete(node.ino)
    const meta = entryMeta(node)
    if (node.type === 'dir') {
      createDir(tree, path, meta)
      const fromPath = fromPrefix + name
      if (closed(share.from, fromPath)) tree.shared.set(ino(tree, path), { ...share, path: fromPath })
      else fill(tree, path, share, fromPath, listing(share.from, inner), links)
    } else if (node.type === 'symlink') {
      createSymlink(tree, path, node.target!, meta)
      if (meta.label !== undefined) setMeta(tree, path, { label: meta.label })
    } else if (node.nlink > 1 && links.has(node.ino)) {
      createHardlink(tree, links.get(node.ino)!, path)
    } else {
      if (node.type === 'file') createFile(tree, path, bodyAt(share.from, inner, path), meta)
      else createSpecial(tree, path, { type: node.type, major: node.major!, minor: node.minor! }, meta)
      if (node.nlink > 1) links.set(node.ino, path)
    }
  }
}
