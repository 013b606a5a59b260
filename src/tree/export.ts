import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import { basename, dirname, join, resolve as resolvePath, sep } from 'node:path'
import { createGzip } from 'node:zlib'
import { requireParentDir, trackTemporary, writeReason, writeStreamAtomic, type WriteOptions } from '../atomic.ts'
import { blockSum, wordsOver } from '../archive/header.ts'
import { QmError } from '../errors.ts'
import { entriesToWrite, type Body, type Entry, type Tree } from './vtree.ts'

export { openSeed, readSeed, type Seed } from './seed.ts'

/** What `--out PATH` writes, by its name: a .tar, a .tar.gz / .tgz, else a directory. */
export type OutputKind = 'tar' | 'tar.gz' | 'dir'
export const outputKind = (path: string): OutputKind => (/\.(tar\.gz|tgz)$/i.test(path) ? 'tar.gz' : /\.tar$/i.test(path) ? 'tar' : 'dir')

/** Bytes copied at a time from where a file's bytes are to the output. */
const CHUNK = 1024 * 1024

// ---- directory -------------------------------------------------------------------------

/**
 * Write the tree into `dir`, which must not exist or be empty, in a directory that exists
 * (the same rule as every output). It is built in a sibling
 * temporary directory and renamed into place, so a failure leaves nothing behind. Owners
 * are set only when running as root; SELinux labels cannot be set from Node and are only
 * kept by the tar form. Devices need root (they are made with mknod(1): Node has no mknod);
 * without it each one left out is named in the notes returned. FIFOs are always made.
 */
export function writeTreeToDir(tree: Tree, dir: string): { notes: string[] } {
  const target = resolvePath(dir)
  let existing: fs.Stats | undefined
  try {
    existing = fs.statSync(target)
  } catch {
    existing = undefined
  }
  if (existing && (!existing.isDirectory() || fs.readdirSync(target).length > 0)) {
    throw new QmError('OUTPUT_WRITE', `${dir} exists and is not an empty directory`)
  }
  requireParentDir(dir)
  let tmp: string | undefined
  let untrack = () => {}
  try {
    tmp = fs.mkdtempSync(join(dirname(target), `.${basename(target)}-`))
    untrack = trackTemporary(tmp)
    const notes = writeEntries(tree, tmp)
    if (existing) fs.rmdirSync(target)
    fs.renameSync(tmp, target)
    return { notes }
  } catch (e) {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
    if (e instanceof QmError) throw e
    throw new QmError('OUTPUT_WRITE', `cannot write ${dir}: ${writeReason(e)}; nothing was left behind`)
  } finally {
    untrack()
  }
}

function writeEntries(tree: Tree, root: string): string[] {
  const asRoot = process.getuid?.() === 0
  const real = (path: string): string => {
    const p = resolvePath(root, `.${path}`)
    if (p !== root && !p.startsWith(root + sep)) throw new QmError('OUTPUT_WRITE', `${path} would be written outside ${root}`)
    return p
  }
  const dirs: Entry[] = []
  const specials: Entry[] = []
  // Hard links to a device or FIFO wait until mknod has made it.
  const specialLinks: Entry[] = []
  const specialPaths = new Set<string>()
  const buf = Buffer.allocUnsafe(CHUNK)
  for (const [e, body] of entriesToWrite(tree)) {
    const p = real(e.path)
    if (e.type === 'dir') {
      if (e.path !== '/') fs.mkdirSync(p, { mode: 0o700 })
      dirs.push(e)
    } else if (e.type === 'symlink') {
      fs.symlinkSync(e.target!, p)
      if (asRoot) fs.lchownSync(p, e.uid, e.gid)
    } else if (e.type === 'hardlink') {
      if (specialPaths.has(e.target!)) specialLinks.push(e)
      else fs.linkSync(real(e.target!), p)
    } else if (e.type === 'file') {
      // 'wx' never follows or replaces an existing name.
      const fd = fs.openSync(p, 'wx', 0o600)
      try {
        writeBody(body!, e.size, buf, (b, n) => writeAll(fd, b, n))
        if (asRoot) fs.fchownSync(fd, e.uid, e.gid)
        fs.fchmodSync(fd, e.mode)
      } finally {
        fs.closeSync(fd)
      }
    } else {
      specials.push(e)
      specialPaths.add(e.path)
    }
  }
  const { made, notes } = makeSpecials(specials, real, asRoot)
  for (const e of specialLinks) {
    if (made.has(e.target!)) fs.linkSync(real(e.target!), real(e.path))
    else notes.push(`${e.path}: a hard link to ${e.target}, left out with it`)
  }
  // Directories last, deepest first, so read-only ones do not block their own contents.
  for (let i = dirs.length - 1; i >= 0; i--) {
    const e = dirs[i]!
    const p = real(e.path)
    if (asRoot) fs.chownSync(p, e.uid, e.gid)
    fs.chmodSync(p, e.mode)
  }
  return notes
}

/** Arguments per mknod(1) batch: far below ARG_MAX. */
const MKNOD_BATCH = 2000
const MKNOD_SCRIPT = 'while [ $# -gt 0 ]; do if [ "$2" = p ]; then mknod -m 600 -- "$1" p; else mknod -m 600 -- "$1" "$2" "$3" "$4"; fi || exit 1; shift 4; done'

/**
 * Devices (root only) and FIFOs through mknod(1), many per shell: spawning from Node costs far more than
 * from sh. Mode and owner are set afterwards from Node, as for files. Returns the paths made, and a note per
 * path left out.
 */
function makeSpecials(specials: Entry[], real: (p: string) => string, asRoot: boolean): { made: Set<string>; notes: string[] } {
  const notes: string[] = []
  const make = specials.filter((e) => {
    if (asRoot || e.type === 'fifo') return true
    notes.push(`${e.path}: ${e.type === 'char' ? 'character' : 'block'} device ${e.major}:${e.minor} left out (a directory output needs root to make devices; a tar output keeps them)`)
    return false
  })
  for (let i = 0; i < make.length; i += MKNOD_BATCH) {
    const args: string[] = []
    for (const e of make.slice(i, i + MKNOD_BATCH)) {
      if (e.type === 'fifo') args.push(real(e.path), 'p', '', '')
      else args.push(real(e.path), e.type === 'char' ? 'c' : 'b', String(e.major), String(e.minor))
    }
    const r = spawnSync('/bin/sh', ['-c', MKNOD_SCRIPT, 'sh', ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] })
    if (r.status !== 0) {
      const why = r.error?.message ?? r.stderr.trim().split('\n')[0] ?? `exit ${r.status}`
      throw new QmError('OUTPUT_WRITE', `cannot make device nodes and FIFOs with mknod: ${why} (a tar output keeps them)`)
    }
  }
  for (const e of make) {
    const p = real(e.path)
    if (asRoot) fs.lchownSync(p, e.uid, e.gid)
    fs.chmodSync(p, e.mode)
  }
  return { made: new Set(make.map((e) => e.path)), notes }
}

function writeAll(fd: number, b: Uint8Array, n: number): void {
  for (let done = 0; done < n; ) done += fs.writeSync(fd, b, done, n - done)
}

/** Stream a body of `size` bytes through `buf` to `out`. */
function writeBody(body: Body, size: number, buf: Buffer, out: (b: Uint8Array, n: number) => void): void {
  if (body instanceof Uint8Array) {
    if (body.length > 0) out(body, body.length)
    return
  }
  for (let done = 0; done < size; ) {
    const n = Math.min(buf.length, size - done)
    body.source.read(buf, 0, n, body.offset + done)
    out(buf, n)
    done += n
  }
}

// ---- tar ---------------------------------------------------------------------------------

/** GNU tar's and star's key for an xattr in a PAX header. */
const PAX_LABEL = 'SCHILY.xattr.security.selinux'
const BLOCK = 512
/** A walk has no 'other': every special file is a device or FIFO. */
const TYPEFLAG: Record<Exclude<Entry['type'], 'other'>, string> = { file: '0', hardlink: '1', dir: '5', symlink: '2', char: '3', block: '4', fifo: '6' }
/** Largest value of an octal field of `width` bytes (one is the terminator). */
const maxOctal = (width: number) => 8 ** (width - 1) - 1

const tarName = (path: string, dir: boolean): string => (path === '/' ? './' : `.${path}${dir ? '/' : ''}`)

/** Where tar bytes go. A piece's memory is reused once its write resolves. */
type TarSink = (bytes: Uint8Array) => Promise<void>

interface Header {
  name: string
  prefix: string
  linkname: string
  flag: string
  mode: number
  uid: number
  gid: number
  size: number
  major: number
  minor: number
}

/** An entry ready to write: its header, body size and PAX records. */
interface Prepared {
  entry: Entry
  header: Header
  size: number
  records: Buffer | undefined
}

/**
 * A POSIX (pax) tar writer: ustar headers, PAX records only where ustar cannot say it (long names, labels,
 * big numbers). Headers and small bodies gather in one buffer; larger bodies pass through in chunks.
 * (tar-stream's pack wants each body whole in memory.)
 */
class TarWriter {
  private readonly buf = Buffer.alloc(4 * CHUNK)
  /** the buffer four bytes at a time, for header checksums */
  private readonly words = wordsOver(this.buf)
  private used = 0
  private readonly sink: TarSink

  constructor(sink: TarSink) {
    this.sink = sink
  }

  /**
   * Write one entry. It goes into the buffer at once when it fits there with room to spare, as almost every entry
   * does: a promise only when the buffer must be flushed first or a large body streamed.
   */
  entry(e: Entry, body: Body | undefined): Promise<void> | undefined {
    const h = this.prepare(e, body)
    const bodyBytes = h.size + BLOCK
    const paxBytes = h.records ? BLOCK + h.records.length + BLOCK : 0
    // it fits, and leaves the 64 KiB below which the slow path flushes
    if (this.buf.length - this.used - 64 * 1024 < paxBytes + BLOCK + bodyBytes) return this.entryAsync(h, body)
    if (h.records) {
      this.paxHeader(e, h.records)
      this.buf.set(h.records, this.used)
      this.used += h.records.length
      this.pad(h.records.length)
    }
    this.header(h.header)
    if (body !== undefined && h.size > 0) {
      if (body instanceof Uint8Array) this.buf.set(body.subarray(0, h.size), this.used)
      else body.source.read(this.buf, this.used, h.size, body.offset)
      this.used += h.size
      this.pad(h.size)
    }
    return undefined
  }

  private async entryAsync(h: Prepared, body: Body | undefined): Promise<void> {
    // header, PAX records and padding: at most a few KiB unless a name is huge
    if (this.buf.length - this.used < 64 * 1024) await this.flush()
    if (h.records) {
      this.paxHeader(h.entry, h.records)
      await this.bytes(h.records)
      this.pad(h.records.length)
    }
    this.header(h.header)
    if (body !== undefined && h.size > 0) {
      await this.body(body, h.size)
      if (this.buf.length - this.used < BLOCK) await this.flush()
      this.pad(h.size)
    }
  }

  /** The ustar header of an entry and the PAX records for what ustar cannot say. */
  private prepare(e: Entry, body: Body | undefined): Prepared {
    const name = tarName(e.path, e.type === 'dir')
    if (e.type === 'other') throw new Error(`${e.path}: a special file that is no device or FIFO cannot be written`)
    const linkname = e.type === 'hardlink' ? tarName(e.target!, false) : (e.target ?? '')
    const size = body === undefined ? 0 : e.size
    const pax: [string, string][] = []
    const split = splitName(name)
    if (!split) pax.push(['path', name])
    if (Buffer.byteLength(linkname) > 100) pax.push(['linkpath', linkname])
    if (e.uid > maxOctal(8)) pax.push(['uid', String(e.uid)])
    if (e.gid > maxOctal(8)) pax.push(['gid', String(e.gid)])
    if (size > maxOctal(12)) pax.push(['size', String(size)])
    if (e.label !== undefined) pax.push([PAX_LABEL, e.label])
    const header: Header = {
      name: split?.name ?? cut(name, 100),
      prefix: split?.prefix ?? '',
      linkname: cut(linkname, 100),
      flag: TYPEFLAG[e.type],
      mode: e.mode,
      uid: Math.min(e.uid, maxOctal(8)),
      gid: Math.min(e.gid, maxOctal(8)),
      size: Math.min(size, maxOctal(12)),
      major: e.major ?? 0,
      minor: e.minor ?? 0,
    }
    const records = pax.length > 0 ? Buffer.from(pax.map(([k, v]) => paxRecord(k, v)).join(''), 'utf8') : undefined
    return { entry: e, header, size, records }
  }

  private paxHeader(e: Entry, records: Buffer): void {
    this.header({ name: paxName(e.path), prefix: '', linkname: '', flag: 'x', mode: 0o644, uid: 0, gid: 0, size: records.length, major: 0, minor: 0 })
  }

  async finish(): Promise<void> {
    if (this.buf.length - this.used < 2 * BLOCK) await this.flush()
    this.buf.fill(0, this.used, this.used + 2 * BLOCK)
    this.used += 2 * BLOCK
    await this.flush()
  }

  private header(h: Header): void {
    // written in place in the buffer, empty fields left as the fill made them: a tree has tens of thousands of headers
    const b = this.buf
    const at = this.used
    this.used += BLOCK
    b.fill(0, at, at + BLOCK)
    b.write(h.name, at, 100, 'utf8')
    octal(b, at + 100, 8, h.mode & 0o7777)
    octal(b, at + 108, 8, h.uid)
    octal(b, at + 116, 8, h.gid)
    octal(b, at + 124, 12, h.size)
    octal(b, at + 136, 12, 0)
    b[at + 156] = h.flag.charCodeAt(0)
    if (h.linkname !== '') b.write(h.linkname, at + 157, 100, 'utf8')
    b.write('ustar\u000000', at + 257, 8, 'latin1')
    if (h.flag === '3' || h.flag === '4') {
      octal(b, at + 329, 8, h.major)
      octal(b, at + 337, 8, h.minor)
    }
    if (h.prefix !== '') b.write(h.prefix, at + 345, 155, 'utf8')
    b.fill(0x20, at + 148, at + 156)
    octal(b, at + 148, 7, blockSum(b, at, this.words))
    b[at + 155] = 0x20
  }

  private async body(body: Body, size: number): Promise<void> {
    if (body instanceof Uint8Array) return this.bytes(body.subarray(0, size))
    if (size <= this.buf.length - this.used) {
      // Straight into the output buffer: no copy in between.
      body.source.read(this.buf, this.used, size, body.offset)
      this.used += size
      return
    }
    await this.flush()
    for (let done = 0; done < size; ) {
      const n = Math.min(this.buf.length, size - done)
      body.source.read(this.buf, 0, n, body.offset + done)
      this.used = n
      await this.flush()
      done += n
    }
  }

  private async bytes(b: Uint8Array): Promise<void> {
    if (b.length > this.buf.length - this.used) {
      await this.flush()
      if (b.length > this.buf.length) return this.sink(b)
    }
    this.buf.set(b, this.used)
    this.used += b.length
  }

  /** Zeros up to the next block; the caller made room for them. */
  private pad(n: number): void {
    const rest = n % BLOCK
    if (rest === 0) return
    this.buf.fill(0, this.used, this.used + BLOCK - rest)
    this.used += BLOCK - rest
  }

  private async flush(): Promise<void> {
    if (this.used > 0) await this.sink(this.buf.subarray(0, this.used))
    this.used = 0
  }
}

/** An octal field: zero-padded digits and a NUL (`value` fits: the callers cap it at `maxOctal`). Digit by digit: no string per field. */
function octal(b: Buffer, at: number, width: number, value: number): void {
  let rest = value
  for (let i = at + width - 2; i >= at; i--) {
    b[i] = 0x30 + (rest % 8)
    rest = Math.floor(rest / 8)
  }
  b[at + width - 1] = 0
}

/** ustar's name split: a prefix of at most 155 bytes and a name of at most 100, at a slash. Undefined when it does not fit. */
function splitName(name: string): { prefix: string; name: string } | undefined {
  const length = Buffer.byteLength(name)
  if (length <= 100) return { prefix: '', name }
  if (length > 256) return undefined
  const dir = name.endsWith('/')
  const body = dir ? name.slice(0, -1) : name
  for (let i = body.indexOf('/'); i !== -1; i = body.indexOf('/', i + 1)) {
    const prefix = body.slice(0, i)
    const rest = body.slice(i + 1) + (dir ? '/' : '')
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '') return { prefix, name: rest }
  }
  return undefined
}

/** At most `bytes` bytes of UTF-8, not cutting a character (the field is only a fallback: PAX has the whole). */
function cut(text: string, bytes: number): string {
  if (Buffer.byteLength(text) <= bytes) return text
  let out = ''
  for (const ch of text) {
    if (Buffer.byteLength(out + ch) > bytes) break
    out += ch
  }
  return out
}

const paxName = (path: string): string => cut(`./PaxHeaders/${path.slice(path.lastIndexOf('/') + 1) || 'root'}`, 100)

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`
  const n = Buffer.byteLength(body)
  let len = n + String(n).length
  if (String(len).length + n !== len) len++
  return `${len}${body}`
}

/**
 * The tree as a tar, streamed to `sink`: entries in walk order, mtime 0, owners by number only, labels as
 * PAX `SCHILY.xattr.security.selinux` records, devices and FIFOs with their numbers. The same tree always
 * gives the same bytes.
 */
async function writeTar(tree: Tree, sink: TarSink): Promise<void> {
  const writer = new TarWriter(sink)
  // one entry at a time: a seeded tree has tens of thousands
  for (const [e, body] of entriesToWrite(tree)) {
    const writing = writer.entry(e, body)
    if (writing) await writing
  }
  await writer.finish()
}

/** The tar form of a tree, in memory: for small trees (tests, the library). */
export async function treeToTar(tree: Tree): Promise<Buffer> {
  const chunks: Buffer[] = []
  await writeTar(tree, async (b) => void chunks.push(Buffer.from(b)))
  return Buffer.concat(chunks)
}

/**
 * Write the tar form of the tree to `file` atomically (temporary file, every byte written and
 * synced, then rename), streamed from where the bytes are; gzip-compressed with `gzip` (level 6:
 * a seeded tree is gigabytes; the gzip header carries no time or name, so the bytes stay the same
 * for the same tree).
 */
export async function writeTreeToTar(tree: Tree, file: string, { gzip = false, ...options }: WriteOptions & { gzip?: boolean } = {}): Promise<void> {
  await writeStreamAtomic(file, (write) => (gzip ? writeGzip(tree, write) : writeTar(tree, write)), options)
}

/** The tar through gzip: pieces go in as the writer makes them, compressed pieces out to `write` in order. */
async function writeGzip(tree: Tree, write: TarSink): Promise<void> {
  const gz = createGzip({ level: 6, chunkSize: CHUNK })
  let failed: unknown
  let writing = Promise.resolve()
  gz.on('data', (chunk: Buffer) => {
    writing = writing.then(() => (failed === undefined ? write(chunk) : undefined)).catch((e) => void (failed ??= e))
  })
  const ended = new Promise<void>((ok, fail) => {
    gz.on('end', ok)
    gz.on('error', fail)
  })
  await writeTar(tree, async (b) => {
    if (failed !== undefined) throw failed
    // the writer reuses its buffer: gzip gets a copy
    if (!gz.write(Buffer.from(b))) await new Promise((ok) => gz.once('drain', ok))
    await writing
  })
  gz.end()
  await ended
  await writing
  if (failed !== undefined) throw failed
}
