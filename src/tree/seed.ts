// A seed is the QM's OS tree, standing in for what rpm, untar and skopeo would produce: hundreds of MB to
// GBs. Its metadata becomes a virtual tree; its bytes stay where they are (a span of the .tar, a file of the
// directory) and are read only when a stage parses a file or the output is written. A .tar.gz cannot be read
// by position, so it is decompressed once into a temporary file that is unlinked as soon as it is open: the
// bytes live as long as the descriptor, and nothing is left behind however the process ends.

import { closeSync, constants, fstatSync, lstatSync, mkdtempSync, openSync, readSync, rmdirSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { clip, IndexBuilder } from '../archive/collect.ts'
import { readDirectory } from '../archive/dir.ts'
import { isGzip, MAGIC_BYTES } from '../archive/magic.ts'
import { TarFault, xattrsOf, type Member, type MemberSink } from '../archive/members.ts'
import { normaliseName } from '../archive/names.ts'
import { asQmError, chunksOf, reason } from '../archive/read-tree.ts'
import { readSeekable } from '../archive/seek.ts'
import { StreamParser } from '../archive/stream.ts'
import type { Problem } from '../archive/types.ts'
import { QmError } from '../errors.ts'
import { flat, SeedTable } from './seed-table.ts'
import { viewOf, type ByteSource, type Meta, type Special, type Tree } from './vtree.ts'

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
  // The bytes of a plain tar are read from it where they are: its descriptor is then the seed's to close.
  let bytes: FileBytes | undefined
  let seedOwnsFd = false
  try {
    const head = Buffer.alloc(MAGIC_BYTES)
    readSync(fd, head, 0, head.length, 0)
    if (isGzip(head)) {
      const spill = spillFile()
      bytes = new FileBytes(`${path} (decompressed)`, spill)
      const sink = new SeedSink(path, bytes)
      await spillGzip(fd, spill, sink)
      return tarSeed(sink, bytes)
    }
    bytes = new FileBytes(path, fd)
    seedOwnsFd = true
    const sink = new SeedSink(path, bytes)
    readSeekable(fd, fstatSync(fd).size, sink, sink.note)
    return tarSeed(sink, bytes)
  } catch (e) {
    bytes?.close()
    throw asQmError(e, path)
  } finally {
    if (!seedOwnsFd) closeSync(fd)
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

/** Puts every member into the table as it is read (names, PAX records and member types checked): a seed must be a clean archive. */
class SeedSink implements MemberSink {
  readonly table: SeedTable
  /** Anything the reader had to leave out or doubt is an error. */
  readonly note = (problem: Problem): never => {
    throw new QmError('TAR_READ', `${this.archive}: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`)
  }
  /** One string per distinct label: an image has a few dozen over tens of thousands of entries. */
  private readonly labels = new Map<string, string>()
  private readonly archive: string
  private readonly bytes: ByteSource

  constructor(archive: string, bytes: ByteSource) {
    this.archive = archive
    this.bytes = bytes
    this.table = new SeedTable(archive, SEED_LIMITS.maxEntries)
  }

  member(m: Member): boolean {
    const path = normaliseName(m.name)
    if (typeof path !== 'string') return this.note({ message: `${path.refused}: '${clip(m.name)}' (member ${m.index})` })
    if (m.notes.length > 0) return this.note({ path, message: m.notes[0]! })
    const meta: Meta = { mode: m.mode, uid: m.uid, gid: m.gid }
    const label = this.label(m)
    if (label) meta.label = label
    if (m.type === 'dir') this.table.dir(path, meta)
    else if (m.type === 'file') {
      if (m.sparse) return this.note({ path, message: "a sparse member's data is not its content; repack the seed without --sparse" })
      this.table.file(path, meta, { source: this.bytes, offset: m.dataOffset, size: m.size })
    } else if (m.type === 'symlink') this.table.symlink(path, flat(m.linkname), meta)
    else if (m.type === 'hardlink') {
      const target = normaliseName(m.linkname)
      if (typeof target !== 'string') return this.note({ path, message: `hard link target '${clip(m.linkname)}' is not a path in the tree (${target.refused})` })
      this.table.hardlink(path, target)
    } else this.table.special(path, this.special(m, path), meta)
    return false
  }

  body(): void {}

  private label(m: Member): string | undefined {
    const raw = m.xattrRecords && xattrsOf(m.xattrRecords)?.['security.selinux']
    if (raw === undefined) return undefined
    let label = this.labels.get(raw)
    if (label === undefined) this.labels.set(raw, (label = flat(raw.replace(/\0+$/, ''))))
    return label
  }

  private special(m: Member, path: string): Special {
    const type = m.flag === 0x33 ? 'char' : m.flag === 0x34 ? 'block' : m.flag === 0x36 ? 'fifo' : undefined
    if (type === undefined) {
      throw new QmError('TAR_READ', `${this.archive}: ${path}: member type '${String.fromCharCode(m.flag)}' is no file, directory, link, device or FIFO`)
    }
    if (!(m.devmajor >= 0 && m.devminor >= 0)) throw new QmError('TAR_READ', `${this.archive}: ${path}: the device number is not a number`)
    return { type, major: m.devmajor, minor: m.devminor }
  }
}

/** A temporary file for a decompressed seed, unlinked as soon as it is open. */
function spillFile(): number {
  const dir = mkdtempSync(join(tmpdir(), 'qm-stage-seed-'))
  const file = join(dir, 'seed.tar')
  const spill = openSync(file, 'wx+', 0o600)
  unlinkSync(file)
  rmdirSync(dir)
  return spill
}

/** Decompress the gzip on `fd` into `spill` while reading its members; the file's offsets are the tar's. */
async function spillGzip(fd: number, spill: number, sink: SeedSink): Promise<void> {
  const parser = new StreamParser(sink, sink.note, SEED_LIMITS.maxStreamBytes)
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
}

function tarSeed(sink: SeedSink, bytes: FileBytes): Seed {
  return { tree: viewOf(sink.table.finish()), notes: [], close: () => bytes.close() }
}

// ---- directory -------------------------------------------------------------------------------

function directorySeed(path: string, st: Stats): Seed {
  const builder = new IndexBuilder({ interest: () => 'entry', ...SEED_LIMITS })
  readDirectory(path, st, builder)
  const index = builder.finish('dir')
  const [problem] = index.problems
  if (problem) throw new QmError('TAR_READ', `${path}: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`)
  const root = path.endsWith('/') && path.length > 1 ? path.slice(0, -1) : path
  const real = (p: string) => (p === '/' ? root : root === '/' ? p : root + p)
  const table = new SeedTable(path, SEED_LIMITS.maxEntries)
  const notes: string[] = []
  // the directory is read in walk order: parents first, hard links after the file they name
  for (const e of index.entries.values()) {
    const meta: Meta = { mode: e.mode, uid: e.uid, gid: e.gid }
    if (e.type === 'dir') table.dir(e.path, meta)
    else if (e.type === 'symlink') table.symlink(e.path, e.target ?? '', meta)
    else if (e.type === 'hardlink') table.hardlink(e.path, e.target!)
    else {
      const s = lstatSync(real(e.path))
      if (e.type === 'file') table.file(e.path, meta, { source: new PathBytes(real(e.path), s.ino), offset: 0, size: e.size })
      else if (s.isCharacterDevice() || s.isBlockDevice()) table.special(e.path, { type: s.isCharacterDevice() ? 'char' : 'block', ...deviceNumber(s.rdev) }, meta)
      else if (s.isFIFO()) table.special(e.path, { type: 'fifo', major: 0, minor: 0 }, meta)
      else notes.push(`seed ${path}: ${e.path} is a socket, which no image can carry; left out`)
    }
  }
  index.entries.clear()
  return { tree: viewOf(table.finish()), notes, close: () => {} }
}

/** Linux's dev_t: major in bits 8-19 and 32-43, minor in bits 0-7 and 20-31. */
function deviceNumber(rdev: number): { major: number; minor: number } {
  const high = Math.floor(rdev / 2 ** 32)
  const low = rdev >>> 0
  return { major: ((low >>> 8) & 0xfff) | ((high & 0xfffff000) >>> 0), minor: (low & 0xff) | ((low >>> 12) & 0xfff00) }
}
