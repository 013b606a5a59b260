// Builds the TreeIndex from whatever reader runs: asks the caller's interest per entry, keeps only what it
// wants, and enforces the limits that keep memory bounded whatever the input holds.

import { xattrsOf, type Member, type MemberSink } from './members.ts'
import { normaliseName } from './names.ts'
import { DEFAULTS, MAX_PROBLEMS, type EntryType, type Interest, type Problem, type ReadOptions, type Entry, type TreeIndex } from './types.ts'

/** A hard link whose content the caller wants but whose target's body was not kept when the link was read. */
export interface PendingLink {
  link: string
  target: string
  /** The link's member index: its content is that of the last `target` before it. */
  index: number
}

/** How deep, and how long, a directory implied by the names below it can be. */
const MAX_IMPLIED_DEPTH = 64
const MAX_IMPLIED_LENGTH = 4096

export class IndexBuilder implements MemberSink {
  readonly entries = new Map<string, Entry>()
  readonly bodies = new Map<string, Uint8Array>()
  readonly problems: Problem[] = []
  readonly stats = { members: 0, bytes: 0 }
  readonly pending: PendingLink[] = []
  readonly maxBodyBytes: number
  private readonly maxTotalBodyBytes: number
  private readonly maxEntries: number
  private readonly interest: ReadOptions['interest']
  private bodyBytes = 0
  private readonly shared = new Set<string>()
  private unlisted = 0
  private entryLimitHit = false
  /** Path of the member whose body the driver is about to hand over. */
  private current = ''
  /** Directories indexed only because members' names imply them (bounded by the entry limit). */
  private readonly implied = new Set<string>()
  /** The last tar member's parent: it and every directory above it have been implied, or exist. */
  private impliedUpTo = '/'
  /** A directory past MAX_IMPLIED_DEPTH / MAX_IMPLIED_LENGTH went unimplied (reported once). */
  private tooDeep = false

  constructor(options: ReadOptions) {
    this.interest = options.interest
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes
    this.maxTotalBodyBytes = options.maxTotalBodyBytes ?? DEFAULTS.maxTotalBodyBytes
    this.maxEntries = options.maxEntries ?? DEFAULTS.maxEntries
  }

  /** Problems past MAX_PROBLEMS are counted, not kept: a hostile archive can have millions. */
  problem(problem: Problem): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(problem)
    else this.unlisted++
  }

  /**
   * Count an entry, ask the caller's interest in it, and settle an earlier entry of the same path: the later
   * one wins, as extraction would overwrite. Returns the interest; 'skip' also when the entry limit is reached.
   */
  consider(path: string, type: EntryType, size: number): Interest {
    this.stats.members++
    if (type === 'file') this.stats.bytes += size
    const interest = this.interest(path, type)
    const earlier = this.entries.get(path)
    if (earlier) {
      // A repeated directory is harmless and common; anything else replaced can hide content, so it is reported.
      const implied = this.implied.delete(path)
      if (earlier.type !== 'dir' || type !== 'dir') {
        const what = implied ? 'directory implied by the names of earlier members' : describe(earlier.type)
        this.problem({ path, message: `${what} is replaced by a later ${describe(type)} of the same name` })
      }
      this.entries.delete(path)
      this.dropBody(path)
      if (earlier.type === 'hardlink') this.dropPending(path)
    }
    if (interest === 'skip') return interest
    if (this.entries.size >= this.maxEntries) {
      if (!this.entryLimitHit) this.problem({ path, message: `more than ${this.maxEntries} entries wanted; this and later ones are not indexed` })
      this.entryLimitHit = true
      return 'skip'
    }
    return interest
  }

  /**
   * Index an entry `consider` did not skip. Returns true when the reader should now read its body (a regular
   * file, wanted, within the limits) and pass it to `keepBody`. `unreadable` says why a wanted file's content
   * cannot be had (a sparse member's data is not its content); for a hard link, that its target is not in the
   * tree (already reported). `index` is a tar member's number, for hard links resolved later.
   */
  keep(entry: Entry, interest: Interest, index = 0, unreadable?: string): boolean {
    const { path } = entry
    this.entries.set(path, entry)
    if (interest !== 'body') return false
    if (entry.type === 'hardlink' && entry.target !== undefined) {
      if (unreadable) return false
      const body = this.bodies.get(entry.target)
      if (body) this.shareBody(path, body)
      else this.pending.push({ link: path, target: entry.target, index })
      return false
    }
    if (entry.type !== 'file') return false
    if (unreadable) {
      this.problem({ path, message: unreadable })
      return false
    }
    return this.roomFor(path, entry.size)
  }

  /** Index a tar member; true when its body should be read. */
  member(m: Member): boolean {
    const named = normaliseName(m.name)
    if (typeof named !== 'string') {
      this.stats.members++
      this.problem({ message: `${named.refused}: '${clip(m.name)}' (member ${m.index}) is not indexed` })
      return false
    }
    const path = named
    for (let i = 0; i < m.notes.length; i++) this.problem({ path, message: m.notes[i]! })
    if (path === '/' && m.type !== 'dir') {
      this.stats.members++
      this.problem({ path, message: `a ${m.type} member names the root; not indexed` })
      return false
    }
    this.imply(path)
    const interest = this.consider(path, m.type, m.size)
    if (interest === 'skip') return false
    const entry: Entry = { path, type: m.type, mode: m.mode, uid: m.uid, gid: m.gid, size: m.size }
    if (m.type === 'symlink') entry.target = m.linkname
    let unreadable = m.sparse ? 'sparse file: its content is not read' : undefined
    if (m.type === 'hardlink') {
      const target = normaliseName(m.linkname)
      if (typeof target !== 'string') {
        this.problem({ path, message: `hard link target '${clip(m.linkname)}' is not a path in the tree (${target.refused})` })
        entry.target = m.linkname
        unreadable = 'target outside the tree'
      } else entry.target = target
    }
    if (m.xattrRecords) {
      const xattrs = xattrsOf(m.xattrRecords)
      if (xattrs) entry.xattrs = xattrs
    }
    this.current = path
    return this.keep(entry, interest, m.index, unreadable)
  }

  body(_m: Member, data: Uint8Array): void {
    this.keepBody(this.current, data)
  }

  cut(m: Member): void {
    const path = normaliseName(m.name)
    if (typeof path !== 'string' || !this.entries.has(path) || m.type !== 'file') return
    this.problem({ path, message: `the archive ends inside its content (${m.dataSize} bytes claimed); not read`, unread: true })
  }

  /**
   * Index the directories above `path` that no member has named so far, as tar creates them on extraction
   * (0755, owned by root): an archive made with `tar -cf x.tar path/to/file` has no directory members, and the
   * model must not depend on whether it has. A later member of the same name replaces an implied directory.
   * Members of one directory come together, so only the directories past the common part of this member's
   * parent and the last one's are looked at: a sorted archive costs one comparison per member.
   */
  private imply(path: string): void {
    const slash = path.lastIndexOf('/')
    if (slash <= 0) return
    const dir = path.slice(0, slash)
    const last = this.impliedUpTo
    if (dir === last) return
    this.impliedUpTo = dir
    // the longest common ancestor of `dir` and `last`, ending at a component boundary in both
    let common = 0
    const n = Math.min(dir.length, last.length)
    while (common < n && dir.charCodeAt(common) === last.charCodeAt(common)) common++
    const boundary = (s: string, i: number) => i === s.length || s.charCodeAt(i) === 0x2f
    if (!(boundary(dir, common) && boundary(last, common))) common = dir.lastIndexOf('/', common - 1)
    if (common >= dir.length) return
    // Each directory looked at is a new string to hash, so a deep name costs its depth times its length: only
    // the first MAX_IMPLIED_DEPTH levels, within MAX_IMPLIED_LENGTH bytes, are implied (no real tree nests deeper).
    let depth = 0
    for (let i = 0; i !== -1 && i < common; i = dir.indexOf('/', i + 1)) depth++
    for (let at = common; at !== -1 && depth < MAX_IMPLIED_DEPTH; depth++) {
      const next = dir.indexOf('/', at + 1)
      if ((next === -1 ? dir.length : next) > MAX_IMPLIED_LENGTH) break
      this.implyDir(next === -1 ? dir : dir.slice(0, next))
      at = next
      if (at === -1) return
    }
    if (!this.tooDeep && !this.entries.has(dir)) {
      this.tooDeep = true
      this.problem({ path: dir, message: `directories deeper than ${MAX_IMPLIED_DEPTH} levels or ${MAX_IMPLIED_LENGTH} bytes are not implied from the names below them (this is the first one)` })
    }
  }

  private implyDir(dir: string): void {
    if (this.entries.has(dir) || this.entryLimitHit) return
    if (this.interest(dir, 'dir') === 'skip') return
    if (this.entries.size >= this.maxEntries) {
      this.problem({ path: dir, message: `more than ${this.maxEntries} entries wanted; this and later ones are not indexed` })
      this.entryLimitHit = true
      return
    }
    this.entries.set(dir, { path: dir, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0 })
    this.implied.add(dir)
  }

  /** A body read for `path`, after `roomFor` said yes. */
  keepBody(path: string, body: Uint8Array): void {
    this.bodies.set(path, body)
  }

  /** The same bytes under a second path (a hard link): not counted again. */
  private shareBody(path: string, body: Uint8Array): void {
    this.bodies.set(path, body)
    this.shared.add(path)
  }

  /** Reserve room for a body of `size` bytes, or say why not. */
  roomFor(path: string, size: number): boolean {
    if (size > this.maxBodyBytes) {
      this.problem({ path, message: `${size} bytes is over the ${this.maxBodyBytes}-byte limit for a file's content; not read` })
      return false
    }
    if (this.bodyBytes + size > this.maxTotalBodyBytes) {
      this.problem({ path, message: `the ${this.maxTotalBodyBytes}-byte limit for all content read is reached; not read` })
      return false
    }
    this.bodyBytes += size
    return true
  }

  private dropPending(link: string): void {
    const i = this.pending.findIndex((p) => p.link === link)
    if (i !== -1) this.pending.splice(i, 1)
  }

  private dropBody(path: string): void {
    const body = this.bodies.get(path)
    if (body === undefined) return
    this.bodies.delete(path)
    if (!this.shared.delete(path)) this.bodyBytes -= body.length
  }

  finish(kind: TreeIndex['kind']): TreeIndex {
    const problems = [...this.problems]
    if (this.unlisted > 0) problems.push({ message: `${this.unlisted} more problems not listed` })
    const stats = this.implied.size > 0 ? { ...this.stats, impliedDirs: this.implied.size } : this.stats
    return { kind, entries: this.entries, bodies: this.bodies, problems, stats }
  }
}

const DESCRIBE: Record<EntryType, string> = { file: 'file', dir: 'directory', symlink: 'symlink', hardlink: 'hard link', char: 'character device', block: 'block device', fifo: 'FIFO', other: 'special file' }
const describe = (type: EntryType) => DESCRIBE[type]

/** Names in messages are the archive's, so they are cut short and made printable. */
export function clip(text: string): string {
  const printable = text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return printable.length > 200 ? `${printable.slice(0, 200)}...` : printable
}
