// A seed's tree as a table: tens of thousands of entries in typed arrays (parent, kind, mode, owner, label,
// where the bytes are) and one name each, about a tenth of what the same entries cost as memfs nodes. It is
// filled member by member as the seed is read, and read through shared directories (vtree.ts `viewOf`): memfs
// holds only what the stages touch.

import { byteOrder } from '../byte-order.ts'
import { QmError } from '../errors.ts'
import { ContentTable, MetaTable, S_IFDIR, S_IFLNK, S_IFREG, tableTree, type Children, type Content, type MemLink, type MemNode, type Meta, type Special, type Tree } from './vtree.ts'

const FILE = 0
const DIR = 1
const SYMLINK = 2
const HARDLINK = 3
const SPECIAL = 4
type Kind = typeof FILE | typeof DIR | typeof SYMLINK | typeof HARDLINK | typeof SPECIAL
const DESCRIBE = ['file', 'directory', 'symlink', 'hard link', 'device or FIFO']

/** How deep, and how long, a directory implied by the names below it can be (as inspect's reader). */
const MAX_IMPLIED_DEPTH = 64
const MAX_IMPLIED_LENGTH = 4096
const IMPLIED: Meta = { mode: 0o755, uid: 0, gid: 0 }
const ROOT = 0

/**
 * Entries in the order the seed names them, then `finish`: each directory's entries sorted by name. A path
 * named twice is an error unless both are directories (the later one's metadata wins, as extraction gives);
 * directories no member names are made as tar makes them (0755, root).
 */
export class SeedTable {
  private count = 1
  private parent = new Uint32Array(1024)
  private kind = new Uint8Array(1024)
  private readonly names: string[] = ['']
  private readonly meta = new MetaTable()
  private readonly contents = new ContentTable()
  private readonly specials = new Map<number, Special>()
  /** A symlink's target; a hard link's target path until `finish` resolves it to `alias`. */
  private readonly targets = new Map<number, string>()
  private readonly alias = new Map<number, number>()
  private readonly nlink = new Map<number, number>()
  /** Sorted entries of each directory: `order[first[id] .. first[id] + size[id])`. */
  private first = new Uint32Array(0)
  private size = new Uint32Array(0)
  private order = new Uint32Array(0)
  /** While filling: directories by path, and those only implied so far. */
  private dirs: Map<string, number> | undefined = new Map([['/', ROOT]])
  private implied: Set<number> | undefined = new Set()

  private readonly archive: string
  private readonly maxEntries: number

  constructor(archive: string, maxEntries: number) {
    this.archive = archive
    this.maxEntries = maxEntries
    this.meta.set(ROOT, IMPLIED)
    this.kind[ROOT] = DIR
  }

  dir(path: string, meta: Meta): void {
    if (path === '/') return this.meta.set(ROOT, meta)
    const known = this.dirs!.get(path)
    if (known === undefined) this.meta.set(this.add(path, DIR), meta)
    else {
      this.implied!.delete(known)
      this.meta.set(known, meta)
    }
  }

  file(path: string, meta: Meta, content: Content): void {
    const id = this.add(path, FILE)
    this.meta.set(id, meta)
    this.contents.set(id, content)
  }

  symlink(path: string, target: string, meta: Meta): void {
    const id = this.add(path, SYMLINK)
    this.meta.set(id, meta)
    this.targets.set(id, target)
  }

  /** `target`: a normalised absolute path, resolved when the table is finished. */
  hardlink(path: string, target: string): void {
    this.targets.set(this.add(path, HARDLINK), target)
  }

  special(path: string, special: Special, meta: Meta): void {
    const id = this.add(path, SPECIAL)
    this.meta.set(id, meta)
    this.specials.set(id, special)
  }

  /** Sort each directory, check that no path is named twice, resolve hard links: the finished, read-only tree. */
  finish(): Tree {
    this.index()
    this.resolveLinks()
    this.dirs = undefined
    this.implied = undefined
    return tableTree(new TableLink(this, ROOT), this.meta, this.contents, this.specials, this.hardLinks())
  }

  // ---- filling -------------------------------------------------------------------------------

  private add(path: string, kind: Kind): number {
    if (path === '/') throw this.error(path, `a ${DESCRIBE[kind]} member names the root`)
    const slash = path.lastIndexOf('/')
    const parentPath = slash === 0 ? '/' : path.slice(0, slash)
    const parent = this.dirs!.get(parentPath) ?? this.imply(parentPath)
    const id = this.entry(parent, path.slice(slash + 1), kind)
    if (kind === DIR) this.dirs!.set(path, id)
    return id
  }

  private entry(parent: number, name: string, kind: Kind): number {
    if (this.count >= this.maxEntries) throw this.error(undefined, `more than ${this.maxEntries} entries`)
    const id = this.count++
    if (id >= this.parent.length) {
      const grow = <T extends Uint32Array | Uint8Array>(a: T, b: T): T => (b.set(a), b)
      this.parent = grow(this.parent, new Uint32Array(id * 2))
      this.kind = grow(this.kind, new Uint8Array(id * 2))
    }
    this.parent[id] = parent
    this.kind[id] = kind
    // a copy: a name sliced from the member's path would keep the whole path alive
    this.names.push(flat(name))
    return id
  }

  /** The directory `dir` and those above it that no member has named yet, made as tar makes them. */
  private imply(dir: string): number {
    const missing: string[] = []
    let at = dir
    let id: number | undefined
    while ((id = this.dirs!.get(at)) === undefined) {
      missing.push(at)
      at = at.slice(0, at.lastIndexOf('/')) || '/'
    }
    for (let i = missing.length - 1; i >= 0; i--) {
      const path = missing[i]!
      if (path.length > MAX_IMPLIED_LENGTH || path.split('/').length - 1 > MAX_IMPLIED_DEPTH) {
        throw this.error(path, `directories deeper than ${MAX_IMPLIED_DEPTH} levels or ${MAX_IMPLIED_LENGTH} bytes are not implied from the names below them`)
      }
      id = this.entry(id, path.slice(path.lastIndexOf('/') + 1), DIR)
      this.meta.set(id, IMPLIED)
      this.implied!.add(id)
      this.dirs!.set(path, id)
    }
    return id
  }

  /** Each directory's entries, sorted by name; two of one name in a directory are the same path named twice. */
  private index(): void {
    const n = this.count
    const size = new Uint32Array(n)
    for (let id = 1; id < n; id++) size[this.parent[id]!]!++
    const first = new Uint32Array(n)
    for (let id = 1; id < n; id++) first[id] = first[id - 1]! + size[id - 1]!
    const order = new Uint32Array(Math.max(0, n - 1))
    const filled = new Uint32Array(n)
    for (let id = 1; id < n; id++) {
      const p = this.parent[id]!
      order[first[p]! + filled[p]!++] = id
    }
    const byName = (a: number, b: number) => byteOrder(this.names[a]!, this.names[b]!) || a - b
    for (let id = 0; id < n; id++) {
      if (size[id]! < 2) continue
      const entries = order.subarray(first[id]!, first[id]! + size[id]!)
      entries.sort(byName)
      for (let i = 1; i < entries.length; i++) {
        const [earlier, later] = [entries[i - 1]!, entries[i]!]
        if (this.names[earlier] !== this.names[later]) continue
        const what = this.implied!.has(earlier) ? 'directory implied by the names of earlier members' : DESCRIBE[this.kind[earlier]!]
        throw this.error(this.pathOf(later), `${what} is replaced by a later ${DESCRIBE[this.kind[later]!]} of the same name`)
      }
    }
    this.first = first
    this.size = size
    this.order = order
  }

  /** A hard link is its target's inode; one to a symlink is a copy of it (tar can store that). */
  private resolveLinks(): void {
    for (const [id, path] of this.targets) {
      if (this.kind[id] !== HARDLINK) continue
      let target = this.lookup(path)
      for (let hops = 0; target !== undefined && this.kind[target] === HARDLINK && hops < this.targets.size; hops++) target = this.lookup(this.targets.get(target)!)
      const at = this.pathOf(id)
      if (target === undefined || this.kind[target] === HARDLINK) throw new QmError('TAR_READ', `${this.archive}: hard link ${at} names ${path}, which the seed does not hold`)
      if (this.kind[target] === DIR) throw new QmError('TAR_READ', `${this.archive}: hard link ${at} names the directory ${path}`)
      if (this.kind[target] === SYMLINK) {
        const theirs = this.meta.get(target)!
        this.kind[id] = SYMLINK
        this.meta.set(id, { mode: 0o777, uid: theirs.uid, gid: theirs.gid })
        this.targets.set(id, this.targets.get(target)!)
        continue
      }
      this.alias.set(id, target)
      this.nlink.set(target, (this.nlink.get(target) ?? 1) + 1)
    }
    for (const id of this.alias.keys()) this.targets.delete(id)
  }

  /** Each hard-linked inode's paths. */
  private hardLinks(): string[][] {
    const groups = new Map<number, string[]>()
    for (const [id, target] of this.alias) {
      const paths = groups.get(target)
      if (paths) paths.push(this.pathOf(id))
      else groups.set(target, [this.pathOf(target), this.pathOf(id)])
    }
    return [...groups.values()]
  }

  private error(path: string | undefined, message: string): QmError {
    return new QmError('TAR_READ', `${this.archive}: ${path === undefined ? '' : `${path}: `}${message}`)
  }

  // ---- reading -------------------------------------------------------------------------------

  private pathOf(id: number): string {
    const names: string[] = []
    for (let at = id; at !== ROOT; at = this.parent[at]!) names.push(this.names[at]!)
    return `/${names.reverse().join('/')}`
  }

  private lookup(path: string): number | undefined {
    let id: number | undefined = ROOT
    for (const name of path.split('/')) if (name !== '' && (id = this.find(id, name)) === undefined) return undefined
    return id
  }

  /** The entry `name` of directory `dir`: a binary search of its sorted entries. */
  find(dir: number, name: string): number | undefined {
    let lo = this.first[dir]!
    let hi = lo + this.size[dir]!
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const c = byteOrder(this.names[this.order[mid]!]!, name)
      if (c === 0) return this.order[mid]
      if (c < 0) lo = mid + 1
      else hi = mid
    }
    return undefined
  }

  *namesIn(dir: number): IterableIterator<string> {
    for (let i = this.first[dir]!, end = i + this.size[dir]!; i < end; i++) yield this.names[this.order[i]!]!
  }

  entriesIn(dir: number): number {
    return this.kind[dir] === DIR ? this.size[dir]! : 0
  }

  node(id: number): MemNode {
    const ino = this.alias.get(id) ?? id
    const kind = this.kind[ino]!
    const mode = kind === DIR ? S_IFDIR : kind === SYMLINK ? S_IFLNK : S_IFREG
    return new TableNode(ino, mode, this.nlink.get(ino) ?? 1, kind === SYMLINK ? this.targets.get(ino) : undefined)
  }
}

const EMPTY = Buffer.alloc(0)

class TableNode implements MemNode {
  readonly size = 0
  readonly buf = EMPTY
  readonly ino: number
  readonly mode: number
  readonly nlink: number
  readonly symlink: string | undefined
  constructor(ino: number, mode: number, nlink: number, symlink: string | undefined) {
    this.ino = ino
    this.mode = mode
    this.nlink = nlink
    this.symlink = symlink
  }
  _setBuf(): void {
    throw new Error("a seed table's entries cannot be written")
  }
}

/** One entry of the table, as a link and (for a directory) as its entries: a directory's link is its listing. */
class TableLink implements MemLink, Children {
  private readonly table: SeedTable
  private readonly id: number
  constructor(table: SeedTable, id: number) {
    this.table = table
    this.id = id
  }
  get children(): Children {
    return this
  }
  getNode(): MemNode {
    return this.table.node(this.id)
  }
  get size(): number {
    return this.table.entriesIn(this.id)
  }
  get(name: string): MemLink | undefined {
    const id = this.size === 0 ? undefined : this.table.find(this.id, name)
    return id === undefined ? undefined : new TableLink(this.table, id)
  }
  has(name: string): boolean {
    return this.get(name) !== undefined
  }
  keys(): IterableIterator<string> {
    return this.size === 0 ? [][Symbol.iterator]() : this.table.namesIn(this.id)
  }
}

/** A copy that holds no reference to the string it was cut from (V8 keeps the whole of a sliced string alive). */
export const flat = (text: string): string => Buffer.from(text, 'utf8').toString('utf8')
