// Turns the sequence of header blocks and extended-header bodies into members. It owns no I/O: a driver (seek or
// stream) feeds it blocks and the bodies it asks for, so both drivers read the format the same way.

import { notTar } from './magic.ts'
import type { EntryType, Problem } from './types.ts'
import { asBuffer, BLOCK, checksumMatches, isZeroBlock, parseHeader, parsePax, readNumber, sparseExtensionContinues, utf8Text, type RawHeader } from './header.ts'

/** Extended headers (PAX, GNU long names) above this size end the read: no real name or xattr set needs it. */
export const MAX_META_BYTES = 1024 * 1024

export interface Member {
  /** 1-based position among members (extended headers are not members). */
  index: number
  /** Byte offset of its first header block, extended headers included. */
  offset: number
  /** Byte offset of its data: right after its own header block. */
  dataOffset: number
  /** The typeflag byte, for what `type` calls 'other' (devices, FIFOs, unknown flags). */
  flag: number
  /** A character or block device's number (0 for every other type; NaN when the field is not a number). */
  devmajor: number
  devminor: number
  /** The name as stored: PAX path, else GNU long name, else ustar prefix/name. */
  name: string
  linkname: string
  type: EntryType
  mode: number
  uid: number
  gid: number
  /** The file's size (a sparse file's real size); 0 for other types. */
  size: number
  /** Bytes of data that follow the header in the archive. */
  dataSize: number
  /** Its data is not its content (GNU sparse), so it has no usable body. */
  sparse: boolean
  /** PAX records (global, then its own) holding xattrs; decoded by `xattrsOf` only for members kept. */
  xattrRecords: readonly [string, string][] | undefined
  /** Things wrong with this member that do not stop the read (usually the shared empty list). */
  notes: readonly string[]
}

const NO_NOTES: readonly string[] = Object.freeze([])

export type Step =
  | { kind: 'end' }
  /** Feed the next block as well (a GNU sparse extension block). */
  | { kind: 'next' }
  /** Read `size` bytes of extended header, then call `meta()`. */
  | { kind: 'meta'; size: number }
  | { kind: 'member'; member: Member }

/** Where a driver hands members. */
export interface MemberSink {
  /** True when the member's data should be read and passed to `body`. */
  member(m: Member): boolean
  body(m: Member, data: Uint8Array): void
  /** True when nothing later in the archive matters, so the driver can stop. */
  done?(): boolean
  /** The archive ends inside this member's data (after `member` was called for it): its content cannot be had. */
  cut?(m: Member): void
}

/** A fault that ends the read: what went wrong, and where. The caller names the input. */
export class TarFault extends Error {
  readonly offset: number
  readonly member: number
  /** The input ends too soon (inside a header, member data, or the gzip stream): what came before is sound. */
  readonly truncated: boolean
  /** What the input was found to be, when the fault came after that was told (set by the stream reader). */
  kind?: 'tar' | 'tar.gz'
  constructor(message: string, offset: number, member: number, truncated = false) {
    super(message)
    this.offset = offset
    this.member = member
    this.truncated = truncated
  }
}

type MetaKind = 'pax' | 'global' | 'longname' | 'longlink' | 'ignore'

const FLAG = {
  file: 0x30, oldFile: 0, hardlink: 0x31, symlink: 0x32, dir: 0x35, contiguous: 0x37,
  pax: 0x78, paxSolaris: 0x58, global: 0x67, longName: 0x4c, longLink: 0x4b, volume: 0x56, dumpdir: 0x44, sparse: 0x53,
} as const

export class MemberDecoder {
  /** Members decoded so far. */
  count = 0
  private metaKind: MetaKind = 'ignore'
  private metaOffset = -1
  private local: [string, string][] = []
  private global = new Map<string, string>()
  private longName: string | undefined
  private longLink: string | undefined
  private sparseHeader: { header: RawHeader; offset: number } | undefined
  private readonly note: (problem: Problem) => void

  constructor(note: (problem: Problem) => void) {
    this.note = note
  }

  /**
   * Decode the block at `b[at..at+512]`, which starts at byte `offset` of the archive. `words`, a Uint32Array
   * over the same memory as `b`, lets the checksum add four bytes at a time.
   */
  block(b: Uint8Array, at: number, offset: number, words?: Uint32Array): Step {
    if (this.sparseHeader) {
      if (sparseExtensionContinues(b, at)) return { kind: 'next' }
      const { header, offset: first } = this.sparseHeader
      this.sparseHeader = undefined
      // (a sparse member's data is not its content: nothing reads it by offset)
      return this.member(header, first, offset)
    }
    if (isZeroBlock(b, at)) {
      if (this.metaOffset !== -1) this.note({ message: `extended header at byte ${this.metaOffset} is not followed by a member` })
      return { kind: 'end' }
    }
    if (!checksumMatches(b, at, words)) {
      const what = offset === 0 ? notTar(b, at) : 'bad header checksum'
      throw new TarFault(what, offset, this.count + 1)
    }
    if (this.metaOffset === -1) this.metaOffset = offset
    const meta = this.metaKindOf(b[at + 156]!)
    if (meta) {
      // Only its size matters: its name ('./PaxHeaders/...', '././@LongLink') is not a member's.
      const size = readNumber(b, at + 124, 12)
      if (Number.isNaN(size) || size < 0) throw new TarFault('header size field is not a valid number', offset, this.count + 1)
      if (size > MAX_META_BYTES) {
        throw new TarFault(`extended header of ${size} bytes exceeds the ${MAX_META_BYTES}-byte limit`, offset, this.count + 1)
      }
      this.metaKind = meta
      return { kind: 'meta', size }
    }
    const header = parseHeader(asBuffer(b), at)
    if (Number.isNaN(header.size) || header.size < 0) throw new TarFault('header size field is not a valid number', offset, this.count + 1)
    if (header.extended) {
      this.sparseHeader = { header, offset: this.metaOffset }
      return { kind: 'next' }
    }
    return this.member(header, this.metaOffset, offset + BLOCK)
  }

  /**
   * The body of the extended header the last step asked for, `data[start..end)`. Decoded at once, so the
   * caller may reuse the memory.
   */
  meta(data: Uint8Array, start = 0, end = data.length): void {
    switch (this.metaKind) {
      case 'longname':
      case 'longlink': {
        const nul = data.indexOf(0, start)
        const text = asBuffer(data).toString('utf8', start, nul === -1 || nul > end ? end : nul)
        if (this.metaKind === 'longname') this.longName = text
        else this.longLink = text
        return
      }
      case 'pax':
      case 'global': {
        const { records, malformed } = parsePax(data, start, end)
        if (malformed) this.note({ message: `${malformed} in the extended header at byte ${this.metaOffset}; the rest of it is ignored` })
        if (this.metaKind === 'pax') {
          this.local.push(...records)
          return
        }
        for (const [key, value] of records) {
          if (key === 'path' || key === 'linkpath' || key === 'size') {
            this.note({ message: `global extended header sets '${key}', which would apply to every member; ignored` })
          } else if (value.length === 0) this.global.delete(key)
          else this.global.set(key, value)
        }
        // A global header stands alone: it is not the start of the next member.
        this.metaOffset = -1
        return
      }
      case 'ignore':
        this.metaOffset = -1
    }
  }

  private metaKindOf(flag: number): MetaKind | undefined {
    switch (flag) {
      case FLAG.pax:
      case FLAG.paxSolaris:
        return 'pax'
      case FLAG.global:
        return 'global'
      case FLAG.longName:
        return 'longname'
      case FLAG.longLink:
        return 'longlink'
      case FLAG.volume:
        return 'ignore'
      default:
        return undefined
    }
  }

  private member(h: RawHeader, offset: number, dataOffset: number): Step {
    // Notes are rare: no list is made for a member without any.
    let notes: string[] | undefined
    let name = this.longName ?? h.name
    let linkname = this.longLink ?? h.linkname
    let { mode, uid, gid, size } = h
    let dataSize = size
    let sparse = h.flag === FLAG.sparse
    let xattrRecords: [string, string][] | undefined

    if (this.local.length > 0 || this.global.size > 0) {
      const records = this.global.size > 0 ? [...this.global, ...this.local] : this.local
      for (const [key, value] of records) {
        if (isXattrKey(key)) {
          xattrRecords = records
          continue
        }
        if (key.startsWith('GNU.sparse.')) sparse = true
        if (value === '') {
          // An empty value takes the record back out: the header's own field applies again.
          if (key === 'path') name = this.longName ?? h.name
          if (key === 'linkpath') linkname = this.longLink ?? h.linkname
          continue
        }
        switch (key) {
          case 'path':
          case 'GNU.sparse.name':
            name = utf8Text(value)
            break
          case 'linkpath':
            linkname = utf8Text(value)
            break
          case 'size':
            dataSize = size = decimal(value)
            if (Number.isNaN(size)) notes = noted(notes, `PAX size '${value.slice(0, 40)}' is not a valid number`)
            break
          case 'GNU.sparse.realsize':
          case 'GNU.sparse.size':
          case 'uid':
          case 'gid': {
            const n = decimal(value)
            if (Number.isNaN(n)) notes = noted(notes, `PAX ${key} '${value.slice(0, 40)}' is not a valid number; ignored`)
            else if (key === 'uid') uid = n
            else if (key === 'gid') gid = n
            else size = n
            break
          }
        }
      }
      this.local = []
    }
    this.longName = undefined
    this.longLink = undefined
    this.metaOffset = -1

    if (Number.isNaN(dataSize) || dataSize < 0) throw new TarFault('member size is not a valid number', offset, this.count + 1)
    // NaN (unparsable) and negative (base-256) ids and modes read as 0, with a note.
    if (!(mode >= 0 && uid >= 0 && gid >= 0)) {
      for (const [field, value] of [['mode', mode], ['uid', uid], ['gid', gid]] as const) {
        if (!(value >= 0)) notes = noted(notes, `${field} field is not a valid number; read as 0`)
      }
      mode = mode >= 0 ? mode : 0
      uid = uid >= 0 ? uid : 0
      gid = gid >= 0 ? gid : 0
    }
    if (h.realSize !== undefined && !Number.isNaN(h.realSize)) size = h.realSize

    const type = typeOf(h.flag, name)
    // GNU tar skips data after every type flag except hard links ('1') and directories ('5'): checked against
    // tar 1.34 with non-zero sizes in hand-made headers. A '0' named 'x/' is listed as a directory, and its data
    // is still skipped; a dumpdir ('D') is a directory that carries data.
    if (h.flag === FLAG.hardlink || h.flag === FLAG.dir) dataSize = 0
    this.count++
    return {
      kind: 'member',
      member: {
        index: this.count,
        offset,
        dataOffset,
        flag: h.flag,
        devmajor: h.devmajor ?? 0,
        devminor: h.devminor ?? 0,
        name,
        linkname,
        type,
        mode: mode & 0o7777,
        uid,
        gid,
        size: type === 'file' ? size : 0,
        dataSize,
        sparse,
        xattrRecords,
        notes: notes ?? NO_NOTES,
      },
    }
  }
}

const isXattrKey = (key: string) => key.startsWith('SCHILY.xattr.') || key.startsWith('LIBARCHIVE.xattr.') || key === 'RHT.security.selinux'

/**
 * The xattrs PAX records give a member: SCHILY.xattr.NAME (GNU tar, star: the raw value), LIBARCHIVE.xattr.NAME
 * (bsdtar: URL-encoded name, base64 value; SCHILY's wins when both are there), RHT.security.selinux (Red Hat
 * tar's --selinux form). Later records win; an empty value removes the attribute. Undefined when none is left.
 */
export function xattrsOf(records: readonly [string, string][]): Record<string, string> | undefined {
  const xattrs: Record<string, string> = {}
  const schily = new Set<string>()
  for (let i = 0; i < records.length; i++) {
    const key = records[i]![0]
    const value = records[i]![1]
    let name: string | undefined
    let decoded = value
    if (key.startsWith('SCHILY.xattr.')) {
      name = key.slice(13)
      schily.add(name)
    } else if (key === 'RHT.security.selinux') {
      name = 'security.selinux'
      if (schily.has(name)) continue
    } else if (key.startsWith('LIBARCHIVE.xattr.')) {
      name = safeDecode(key.slice(17))
      if (name === undefined || schily.has(name)) continue
      decoded = Buffer.from(value, 'base64').toString('latin1')
    } else continue
    if (value === '') delete xattrs[name]
    else xattrs[name] = decoded
  }
  return Object.keys(xattrs).length > 0 ? xattrs : undefined
}

function typeOf(flag: number, name: string): EntryType {
  switch (flag) {
    case FLAG.file:
    case FLAG.oldFile:
    case FLAG.contiguous:
      // Old archives mark directories only by a trailing slash.
      return name.endsWith('/') ? 'dir' : 'file'
    case FLAG.sparse:
      return 'file'
    case FLAG.hardlink:
      return 'hardlink'
    case FLAG.symlink:
      return 'symlink'
    case FLAG.dir:
    case FLAG.dumpdir:
      return 'dir'
    default:
      return 'other'
  }
}

/** A PAX decimal number, NaN when it is not one or beyond 2^53. */
function decimal(text: string): number {
  const n = /^\d{1,16}$/.test(text) ? Number(text) : NaN
  return Number.isSafeInteger(n) ? n : NaN
}

function noted(notes: string[] | undefined, text: string): string[] {
  if (notes) notes.push(text)
  return notes ?? [text]
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}
