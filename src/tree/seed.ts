// A seed is the QM's OS tree, standing in for what rpm, untar and skopeo would produce: hundreds of MB to
// GBs. Its metadata becomes a virtual tree; its bytes stay where they are (a span of the .tar, a file of the
// directory) and are read only when a stage parses a file or the output is written. A .tar.gz cannot be read
// by position, so it is decompressed once into a temporary file that is unlinked as soon as it is open: the
// bytes live as long as the descriptor, and nothing is left behind however the process ends.

import { closeSync, constants, fstatSync, lstatSync, mkdtempSync, openSync, readSync, rmdirSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { IndexBuilder } from '../archive/collect.ts'
import { readDirectory } from '../archive/dir.ts'
import { isGzip, MAGIC_BYTES } from '../archive/magic.ts'
import { TarFault, type Member, type MemberSink } from '../archive/members.ts'
import { normaliseName } from '../archive/names.ts'
import { asQmError, chunksOf, reason } from '../archive/read-tree.ts'
import { readSeekable } from '../archive/seek.ts'
import { StreamParser } from '../archive/stream.ts'
import type { Problem, Entry } from '../archive/types.ts'
import { QmError } from '../errors.ts'
import { byteOrder } from '../byte-order.ts'
import {
  createDir,
  createFile,
  createHardlink,
  createSpecial,
  createSymlink,
  emptyTree,
  getNode,
  setMeta,
  type ByteSource,
  type Meta,
  type Special,
  type Tree,
} from './vtree.ts'

export interface Seed {
  tree: Tree
  /** What of the seed the tree does not hold (sockets of a directory seed), one path each. */
  notes: string[]
  /** Close the files the tree's contents are read from; the tree cannot be written out after. */
  close(): void
}

/** A seed is an OS tree: far past inspect's limits on what it keeps. */
const SEED_LIMITS = { maxEntries: 10_000_000, maxStreamBytes: 1024 ** 4 }
const CHUNK = 1024 * 1024

/**
 * Open the OS tree at `path` to seed `executeManifest` with: a directory, a tar, or a gzip-compressed tar
 * (told by its magic bytes, whatever the name), read by the same reader as inspect. Devices and FIFOs are
 * kept; a directory seed's sockets cannot be (a tar cannot hold one) and are named in `notes`.
 */
export async function openSeed(path: string): Promise<Seed> {
  let st: Stats
  try {
    st = statSync(path)
  } catch (e) {
    throw new QmError('FILE_READ', `${path}: ${reason(e)}`)
  }
  if (st.isDirectory()) return directorySeed(path, st)
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (e) {
    throw new QmError('FILE_READ', `${path}: ${reason(e)}`)
  }
  // Once the plain tar is handed to a ByteSource, its descriptor is the seed's to close.
  let keepOpen = false
  try {
    const head = Buffer.alloc(MAGIC_BYTES)
    readSync(fd, head, 0, head.length, 0)
    if (isGzip(head)) {
      const spill = await spillGzip(fd, path)
      return tarSeed(path, spill.sink, new FileBytes(`${path} (decompressed)`, spill.fd))
    }
    const sink = new SeedSink(path)
    readSeekable(fd, fstatSync(fd).size, sink, sink.note)
    keepOpen = true
    return tarSeed(path, sink, new FileBytes(path, fd))
  } catch (e) {
    throw asQmError(e, path)
  } finally {
    if (!keepOpen) closeSync(fd)
  }
}

/** The tree of `openSeed`, for callers that keep it for the life of the process. */
export async function readSeed(path: string): Promise<Tree> {
  return (await openSeed(path)).tree
}

// ---- bytes by position ---------------------------------------------------------------------

/** A file read by position through one descriptor, checked to be as long as when it was opened. */
class FileBytes implements ByteSource {
  readonly name: string
  private fd: number | undefined
  constructor(name: string, fd: number) {
    this.name = name
    this.fd = fd
  }
  read(into: Uint8Array, at: number, length: number, position: number): void {
    if (this.fd === undefined) throw new Error(`${this.name}: the seed is closed`)
    readFully(this.fd, into, at, length, position, this.name)
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
  }
}

function readFully(fd: number, into: Uint8Array, at: number, length: number, position: number, name: string): void {
  let done = 0
  while (done < length) {
    const n = readSync(fd, into, at + done, length - done, position + done)
    if (n === 0) throw new Error(`${name}: ended at byte ${position + done} while reading it (was it changed?)`)
    done += n
  }
}

/** One file of a directory seed, opened when read: without following a symlink, and only while it is still the file that was listed. */
class PathBytes implements ByteSource {
  readonly name: string
  private readonly ino: number
  constructor(name: string, ino: number) {
    this.name = name
    this.ino = ino
  }
  read(into: Uint8Array, at: number, length: number, position: number): void {
    const fd = openSync(this.name, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    try {
      const st = fstatSync(fd)
      if (!st.isFile() || st.ino !== this.ino) throw new Error(`${this.name}: changed since the seed was read`)
      readFully(fd, into, at, length, position, this.name)
    } finally {
      closeSync(fd)
    }
  }
}

// ---- tar -----------------------------------------------------------------------------------

/** Indexes every member (the archive layer checks names, duplicates and PAX records), and notes where data and device numbers are. */
class SeedSink implements MemberSink {
  readonly builder = new IndexBuilder({ interest: () => 'entry', ...SEED_LIMITS })
  readonly offsets = new Map<string, number>()
  readonly specials = new Map<string, Special>()
  readonly note: (problem: Problem) => void
  private readonly archive: string

  constructor(archive: string) {
    this.archive = archive
    this.note = this.builder.problem.bind(this.builder)
  }

  member(m: Member): boolean {
    this.builder.member(m)
    const path = normaliseName(m.name)
    if (typeof path !== 'string' || !this.builder.entries.has(path)) return false
    if (m.sparse) throw new QmError('TAR_READ', `${this.archive}: ${path}: a sparse member's data is not its content; repack the seed without --sparse`)
    if (m.type === 'file') this.offsets.set(path, m.dataOffset)
    else if (m.type === 'other') this.specials.set(path, this.special(m, path))
    return false
  }

  body(): void {}

  private special(m: Member, path: string): Special {
    const type = m.flag === 0x33 ? 'char' : m.flag === 0x34 ? 'block' : m.flag === 0x36 ? 'fifo' : undefined
    if (type === undefined) {
      throw new QmError('TAR_READ', `${this.archive}: ${path}: member type '${String.fromCharCode(m.flag)}' is no file, directory, link, device or FIFO`)
    }
    if (!(m.devmajor >= 0 && m.devminor >= 0)) throw new QmError('TAR_READ', `${this.archive}: ${path}: the device number is not a number`)
    return { type, major: m.devmajor, minor: m.devminor }
  }
}

/** Decompress the gzip on `fd` into an unlinked temporary file while indexing it; the file's offsets are the tar's. */
async function spillGzip(fd: number, path: string): Promise<{ fd: number; sink: SeedSink }> {
  const dir = mkdtempSync(join(tmpdir(), 'qm-stage-seed-'))
  const file = join(dir, 'seed.tar')
  const spill = openSync(file, 'wx+', 0o600)
  unlinkSync(file)
  rmdirSync(dir)
  const sink = new SeedSink(path)
  const parser = new StreamParser(sink, sink.note, SEED_LIMITS.maxStreamBytes)
  try {
    const gunzip = createGunzip({ chunkSize: CHUNK })
    const compressed = Readable.from(chunksOf(fd, CHUNK), { objectMode: false })
    compressed.on('error', (e) => gunzip.destroy(e))
    compressed.pipe(gunzip)
    let written = 0
    let ended = false
    try {
      for await (const chunk of gunzip) {
        const bytes = chunk as Buffer
        // Everything is spilled, trailer included, so offsets match; the parser stops caring after the end.
        for (let done = 0; done < bytes.length; ) done += writeSync(spill, bytes, done, bytes.length - done, written + done)
        written += bytes.length
        if (!ended) ended = parser.push(bytes)
      }
    } catch (e) {
      if (e instanceof TarFault || e instanceof QmError) throw e
      throw new TarFault(`corrupt gzip stream (${e instanceof Error ? e.message : String(e)})`, parser.pos, parser.member)
    } finally {
      compressed.destroy()
      gunzip.destroy()
    }
    parser.end()
    return { fd: spill, sink }
  } catch (e) {
    closeSync(spill)
    throw e
  }
}

function tarSeed(path: string, sink: SeedSink, bytes: FileBytes): Seed {
  try {
    const index = sink.builder.finish('tar')
    // a seed is trusted to be a clean archive: anything the reader had to leave out is an error
    const [problem] = index.problems
    if (problem) throw new QmError('TAR_READ', `${path}: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`)
    const tree = buildTree(path, index.entries, spansIn(bytes, sink.offsets), sink.specials)
    return { tree, notes: [], close: closer(bytes) }
  } catch (e) {
    bytes.close()
    throw e
  }
}

// Made apart from tarSeed, so the closures do not keep the index (every member's entry) alive.
const spansIn = (bytes: FileBytes, offsets: Map<string, number>): ContentOf => (e) => {
  const offset = offsets.get(e.path)
  offsets.delete(e.path)
  return offset === undefined ? undefined : { source: bytes, offset, size: e.size }
}
const closer = (bytes: FileBytes) => () => bytes.close()

// ---- directory -------------------------------------------------------------------------------

function directorySeed(path: string, st: Stats): Seed {
  const builder = new IndexBuilder({ interest: () => 'entry', ...SEED_LIMITS })
  readDirectory(path, st, builder)
  const index = builder.finish('dir')
  const [problem] = index.problems
  if (problem) throw new QmError('TAR_READ', `${path}: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`)
  const root = path.endsWith('/') && path.length > 1 ? path.slice(0, -1) : path
  const real = (p: string) => (p === '/' ? root : root === '/' ? p : root + p)
  const specials = new Map<string, Special>()
  const notes: string[] = []
  const inodes = new Map<string, number>()
  for (const e of index.entries.values()) {
    if (e.type !== 'other' && e.type !== 'file') continue
    const s = lstatSync(real(e.path))
    if (e.type === 'file') inodes.set(e.path, s.ino)
    else if (s.isCharacterDevice() || s.isBlockDevice()) specials.set(e.path, { type: s.isCharacterDevice() ? 'char' : 'block', ...deviceNumber(s.rdev) })
    else if (s.isFIFO()) specials.set(e.path, { type: 'fifo', major: 0, minor: 0 })
    else notes.push(`seed ${path}: ${e.path} is a socket, which no image can carry; left out`)
  }
  const tree = buildTree(path, index.entries, (e) => ({ source: new PathBytes(real(e.path), inodes.get(e.path)!), offset: 0, size: e.size }), specials)
  return { tree, notes, close: () => {} }
}

/** Linux's dev_t: major in bits 8-19 and 32-43, minor in bits 0-7 and 20-31. */
function deviceNumber(rdev: number): { major: number; minor: number } {
  const high = Math.floor(rdev / 2 ** 32)
  const low = rdev >>> 0
  return { major: ((low >>> 8) & 0xfff) | ((high & 0xfffff000) >>> 0), minor: (low & 0xff) | ((low >>> 12) & 0xfff00) }
}

// ---- the tree ---------------------------------------------------------------------------------

type ContentOf = (e: Entry) => { source: ByteSource; offset: number; size: number } | undefined

/** Parents before children; hard links after every file they may name, so each links to its target. */
function buildTree(archive: string, entries: Map<string, Entry>, contentOf: ContentOf, specials: Map<string, Special>): Tree {
  const tree = emptyTree()
  const sorted: (Entry | undefined)[] = [...entries.values()].sort((a, b) => byteOrder(a.path, b.path))
  // The index is the tree's to consume: each entry can go once it is in the tree, so the index and the tree
  // it becomes are not both whole in memory (tens of thousands of entries each).
  entries.clear()
  const links: Entry[] = []
  // An image has a few dozen labels over tens of thousands of entries: one string each.
  const labels = new Map<string, string>()
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!
    sorted[i] = undefined
    const raw = e.xattrs?.['security.selinux']
    let label = raw === undefined ? undefined : labels.get(raw)
    if (raw !== undefined && label === undefined) labels.set(raw, (label = flat(raw.replace(/\0+$/, ''))))
    const meta: Meta = { mode: e.mode, uid: e.uid, gid: e.gid, ...(label ? { label } : {}) }
    if (e.path === '/') {
      if (e.type === 'dir') setMeta(tree, '/', meta)
      continue
    }
    parents(tree, e.path, archive)
    if (e.type === 'dir') createDir(tree, e.path, meta)
    else if (e.type === 'symlink') {
      createSymlink(tree, e.path, e.target ?? '', meta)
      if (label) setMeta(tree, e.path, { label })
    } else if (e.type === 'hardlink') links.push(e)
    else if (e.type === 'file') createFile(tree, e.path, contentOf(e) ?? new Uint8Array(), meta)
    else createSpecial(tree, e.path, specials.get(e.path)!, meta)
  }
  for (const e of links) {
    const target = getNode(tree, e.target!)
    if (!target) throw new QmError('TAR_READ', `${archive}: hard link ${e.path} names ${e.target}, which the seed does not hold`)
    if (target.type === 'dir') throw new QmError('TAR_READ', `${archive}: hard link ${e.path} names the directory ${e.target}`)
    parents(tree, e.path, archive)
    // tar can store a hard link to a symlink; a copy of the symlink is the same tree
    if (target.type === 'symlink') createSymlink(tree, e.path, target.target!, target)
    else createHardlink(tree, e.target!, e.path)
  }
  return tree
}

/** Make the member's missing parent directories (0755, root); a parent that is not a directory is an error. */
function parents(tree: Tree, path: string, archive: string): void {
  let at = '/'
  for (const part of posix.dirname(path).split('/').filter(Boolean)) {
    at = at === '/' ? `/${part}` : `${at}/${part}`
    const node = getNode(tree, at)
    if (!node) createDir(tree, at, { mode: 0o755, uid: 0, gid: 0 })
    else if (node.type !== 'dir') throw new QmError('TAR_READ', `${archive}: member ${path} lies under ${at}, which is not a directory`)
  }
}

/** A copy that holds no reference to the string it was cut from (V8 keeps the whole of a sliced string alive). */
const flat = (text: string): string => Buffer.from(text, 'utf8').toString('utf8')

