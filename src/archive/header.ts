// One 512-byte tar header block, decoded field by field. Layout (POSIX ustar, with the GNU and star variants):
//   name 0/100  mode 100/8  uid 108/8  gid 116/8  size 124/12  mtime 136/12  chksum 148/8  typeflag 156
//   linkname 157/100  magic 257/6  version 263/2  uname 265/32  gname 297/32  devmajor 329/8  devminor 337/8
//   POSIX: prefix 345/155.  star: prefix 345/131, 'tar\0' at 508.  GNU ('ustar  \0'): no prefix; for a sparse
//   member ('S') isextended 482 and realsize 483/12, and extension blocks with isextended at 504.
// Numbers are octal text, or base-256 when the first byte has its high bit set (GNU, star, POSIX 2008).
// This runs for every member of archives with 100,000 of them, so it avoids allocating what it can.

export const BLOCK = 512

export type Format = 'posix' | 'gnu' | 'v7'

export interface RawHeader {
  name: string
  linkname: string
  /** The typeflag byte ('0' is 48; old archives use 0). */
  flag: number
  mode: number
  uid: number
  gid: number
  size: number
  format: Format
  /** GNU sparse only: the file's real size, and whether extension blocks follow this header. */
  realSize?: number
  extended?: boolean
  /** Character and block devices only: the device number. */
  devmajor?: number
  devminor?: number
}

/** `n` rounded up to whole blocks. */
export function padded(n: number): number {
  const rest = n % BLOCK
  return rest === 0 ? n : n + BLOCK - rest
}

export function isZeroBlock(b: Uint8Array, at: number): boolean {
  for (let i = at, end = at + BLOCK; i < end; i++) if (b[i] !== 0) return false
  return true
}

/** A Buffer over the same memory, for its fast string decoding. */
export const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength))

/** A Uint32Array over the 4-byte-aligned part of `b`'s memory, for `checksumMatches`. */
export function wordsOver(b: Uint8Array): Uint32Array {
  const start = (b.byteOffset + 3) & ~3
  const count = Math.max(0, (b.byteOffset + b.byteLength - start) >> 2)
  return new Uint32Array(b.buffer, start, count)
}

/** Sum of the block's 512 bytes. With `words` (from `wordsOver(b)`), four at a time when aligned. */
export function blockSum(b: Uint8Array, at: number, words?: Uint32Array): number {
  const byteAt = b.byteOffset + at
  if (words && (byteAt & 3) === 0 && byteAt >= words.byteOffset && byteAt + BLOCK <= words.byteOffset + words.byteLength) {
    // Two 16-bit lanes of byte pairs: 128 words add at most 128 * 510 to a lane, so no lane overflows.
    let acc = 0
    for (let i = (byteAt - words.byteOffset) >> 2, end = i + 128; i < end; i++) {
      const x = words[i]!
      acc += (x & 0x00ff00ff) + ((x >>> 8) & 0x00ff00ff)
    }
    return (acc & 0xffff) + (acc >>> 16)
  }
  let sum = 0
  for (let i = at, end = at + BLOCK; i < end; i++) sum += b[i]!
  return sum
}

/**
 * The stored checksum is the sum of all 512 bytes with the checksum field counted as eight spaces. Old
 * writers summed signed chars, so either sum is accepted, as GNU tar does.
 */
export function checksumMatches(b: Uint8Array, at: number, words?: Uint32Array): boolean {
  let first = at + 148
  while (first < at + 155 && b[first] === 0x20) first++
  if (b[first]! < 0x30 || b[first]! > 0x37) return false
  const stored = readNumber(b, at + 148, 8)
  if (Number.isNaN(stored)) return false
  let unsigned = blockSum(b, at, words)
  for (let i = at + 148; i < at + 156; i++) unsigned -= b[i]!
  unsigned += 8 * 32
  if (stored === unsigned) return true
  let signed = unsigned
  for (let i = at, end = at + BLOCK; i < end; i++) {
    if (i >= at + 148 && i < at + 156) continue
    if (b[i]! >= 128) signed -= 256
  }
  return stored === signed
}

/**
 * A numeric field: octal digits after optional spaces, ended by a space, a NUL or the field's end; or, when
 * the first byte has its high bit set, a big-endian base-256 number (0xff first means negative). NaN when the
 * field holds anything else or the value is beyond 2^53.
 */
export function readNumber(b: Uint8Array, at: number, len: number): number {
  const end = at + len
  const first = b[at]!
  if (first & 0x80) {
    const negative = first === 0xff
    let value = negative ? 0 : first & 0x7f
    for (let i = at + 1; i < end; i++) value = value * 256 + (negative ? 255 - b[i]! : b[i]!)
    if (negative) value = -(value + 1)
    return Number.isSafeInteger(value) ? value : NaN
  }
  let i = at
  while (i < end && b[i] === 0x20) i++
  let value = 0
  for (; i < end; i++) {
    const c = b[i]!
    if (c < 0x30 || c > 0x37) break
    value = value * 8 + (c - 0x30)
  }
  for (; i < end; i++) if (b[i] !== 0 && b[i] !== 0x20) return NaN
  // An empty field reads as 0, as GNU tar reads it (the checksum's digits are checked by its caller).
  return value
}

/** A NUL-terminated (or field-filling) string, as UTF-8 (decoded as latin1 when it is ASCII: the same, faster). */
export function readString(b: Buffer, at: number, len: number): string {
  let end = at
  let high = 0
  const max = at + len
  for (let c = b[end]; end < max && c !== 0; c = b[++end]) high |= c!
  return end === at ? '' : b.toString(high & 0x80 ? 'utf8' : 'latin1', at, end)
}

/** Decode the header at `at` (checksum already verified). Numbers that do not parse are NaN. */
export function parseHeader(b: Buffer, at: number): RawHeader {
  // 'ustar\0' then '00' is POSIX; 'ustar  \0' is GNU; anything else is v7.
  const ustar = b[at + 257] === 0x75 && b[at + 258] === 0x73 && b[at + 259] === 0x74 && b[at + 260] === 0x61 && b[at + 261] === 0x72
  const format: Format = !ustar ? 'v7' : b[at + 262] === 0 ? 'posix' : b[at + 262] === 0x20 && b[at + 263] === 0x20 && b[at + 264] === 0 ? 'gnu' : 'v7'
  let name = readString(b, at, 100)
  if (format === 'posix' && b[at + 345] !== 0) {
    const star = b[at + 508] === 0x74 && b[at + 509] === 0x61 && b[at + 510] === 0x72 && b[at + 511] === 0
    name = `${readString(b, at + 345, star ? 131 : 155)}/${name}`
  }
  const header: RawHeader = {
    name,
    linkname: b[at + 157] === 0 ? '' : readString(b, at + 157, 100),
    flag: b[at + 156]!,
    mode: readNumber(b, at + 100, 8),
    uid: readNumber(b, at + 108, 8),
    gid: readNumber(b, at + 116, 8),
    size: readNumber(b, at + 124, 12),
    format,
  }
  if (header.flag === 0x33 /* 3 */ || header.flag === 0x34 /* 4 */) {
    header.devmajor = readNumber(b, at + 329, 8)
    header.devminor = readNumber(b, at + 337, 8)
  }
  if (format === 'gnu' && header.flag === 0x53 /* S */) {
    header.realSize = readNumber(b, at + 483, 12)
    header.extended = b[at + 482] !== 0
  }
  return header
}

/** Does a GNU sparse extension block say another one follows? */
export function sparseExtensionContinues(b: Uint8Array, at: number): boolean {
  return b[at + 504] !== 0
}

/** PAX keys that say nothing the index keeps (times, owner names); skipped without decoding them. */
function ignoredKey(b: Buffer, start: number, end: number): boolean {
  if (end - start !== 5) return false
  const c1 = b[start + 1]
  // mtime atime ctime / uname gname
  return (c1 === 0x74 && b[start + 2] === 0x69 && b[start + 3] === 0x6d && b[start + 4] === 0x65) ||
    (c1 === 0x6e && b[start + 2] === 0x61 && b[start + 3] === 0x6d && b[start + 4] === 0x65)
}

/** Keys every image tar repeats per member: matched byte by byte and shared, instead of a new string each. */
const COMMON_KEYS = ['SCHILY.xattr.security.selinux', 'path', 'linkpath', 'size', 'uid', 'gid'].map((key) => [key, Buffer.from(key)] as const)

function keyAt(b: Buffer, start: number, end: number): string {
  const len = end - start
  for (const [key, bytes] of COMMON_KEYS) {
    if (bytes.length !== len) continue
    let i = 0
    while (i < len && b[start + i] === bytes[i]) i++
    if (i === len) return key
  }
  return b.toString('utf8', start, end)
}

/**
 * PAX extended header records in `data[start..end)`, `<length> <key>=<value>\n`, the length counting the whole
 * record. Values are returned as latin1 strings, one character per byte, so binary xattr values survive;
 * callers re-decode text values as UTF-8. Times and owner names are left out. Stops at the first malformed
 * record and says why.
 */
export function parsePax(data: Uint8Array, start = 0, end = data.length): { records: [string, string][]; malformed?: string } {
  const b = asBuffer(data)
  const records: [string, string][] = []
  let i = start
  while (i < end) {
    if (b[i] === 0) break // some writers pad the record block with NULs
    let length = 0
    let j = i
    while (j < end && b[j]! >= 0x30 && b[j]! <= 0x39 && j - i < 16) length = length * 10 + b[j++]! - 0x30
    if (j === i || b[j] !== 0x20) return { records, malformed: 'PAX record without a length' }
    const recordEnd = i + length
    if (recordEnd > end || recordEnd <= j + 1 || b[recordEnd - 1] !== 0x0a) return { records, malformed: 'PAX record length does not match its text' }
    let eq = j + 1
    while (eq < recordEnd && b[eq] !== 0x3d) eq++
    if (eq >= recordEnd) return { records, malformed: "PAX record without '='" }
    if (!ignoredKey(b, j + 1, eq)) records.push([keyAt(b, j + 1, eq), b.toString('latin1', eq + 1, recordEnd - 1)])
    i = recordEnd
  }
  return { records }
}

/** A latin1 string holding UTF-8 bytes (as parsePax returns values), decoded as text. */
export const utf8Text = (latin1: string): string => (/[\x80-\xff]/.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1)
