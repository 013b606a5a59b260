// Hand-made tar blocks, so tests can write exactly the headers they need, broken ones included.

import { gzipSync } from 'node:zlib'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readTree } from '../../../src/archive/read-tree.ts'
import type { Entry, ReadOptions, TreeIndex } from '../../../src/archive/types.ts'
import { removeScratch, scratch } from '../../_helpers/scratch.ts'

export interface HeaderSpec {
  name: string
  /** Typeflag character; default '0'. */
  type?: string
  size?: number
  mode?: number
  uid?: number
  gid?: number
  linkname?: string
  prefix?: string
  format?: 'posix' | 'gnu' | 'v7'
  /** Write these numeric fields in base-256. */
  base256?: ('size' | 'uid' | 'gid')[]
  /** 'bad' stores a wrong checksum; 'signed' stores the signed-char sum. */
  checksum?: 'ok' | 'bad' | 'signed'
  /** Raw bytes to write over the block after everything else, at their offsets. */
  patch?: [number, Uint8Array | string][]
  /** The same, after the checksum is computed (to break it in a particular way). */
  afterChecksum?: [number, Uint8Array | string][]
}

const enc = new TextEncoder()
const bytesOf = (v: Uint8Array | string) => (typeof v === 'string' ? enc.encode(v) : v)

function octal(b: Uint8Array, at: number, len: number, value: number): void {
  b.set(enc.encode(value.toString(8).padStart(len - 1, '0')), at)
}

function base256(b: Uint8Array, at: number, len: number, value: number): void {
  let v = BigInt(value)
  for (let i = at + len - 1; i > at; i--) {
    b[i] = Number(v & 0xffn)
    v >>= 8n
  }
  b[at] = 0x80
}

export function header(spec: HeaderSpec): Uint8Array {
  const b = new Uint8Array(512)
  const put = (at: number, text: string) => b.set(enc.encode(text), at)
  b.set(enc.encode(spec.name).subarray(0, 100), 0)
  const num = (field: 'size' | 'uid' | 'gid' | 'mode', at: number, len: number, value: number) =>
    spec.base256?.includes(field as 'size') ? base256(b, at, len, value) : octal(b, at, len, value)
  num('mode', 100, 8, spec.mode ?? 0o644)
  num('uid', 108, 8, spec.uid ?? 0)
  num('gid', 116, 8, spec.gid ?? 0)
  num('size', 124, 12, spec.size ?? 0)
  octal(b, 136, 12, 0)
  put(156, spec.type ?? '0')
  if (spec.linkname) b.set(enc.encode(spec.linkname).subarray(0, 100), 157)
  const format = spec.format ?? 'posix'
  if (format === 'posix') put(257, 'ustar\u000000')
  if (format === 'gnu') put(257, 'ustar  \u0000')
  if (spec.prefix) b.set(enc.encode(spec.prefix).subarray(0, 155), 345)
  for (const [at, value] of spec.patch ?? []) b.set(bytesOf(value), at)
  b.fill(0x20, 148, 156)
  let sum = 0
  for (const x of b) sum += x
  if (spec.checksum === 'signed') for (const x of b) if (x >= 128) sum -= 256
  if (spec.checksum === 'bad') sum += 1
  put(148, sum.toString(8).padStart(6, '0') + '\u0000 ')
  for (const [at, value] of spec.afterChecksum ?? []) b.set(bytesOf(value), at)
  return b
}

export const pad = (data: Uint8Array): Uint8Array => {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512)
  out.set(data)
  return out
}

/** A regular file member: header and padded content. */
export function file(name: string, content: string | Uint8Array = '', spec: Partial<HeaderSpec> = {}): Uint8Array[] {
  const data = bytesOf(content)
  return [header({ name, size: data.length, ...spec }), pad(data)]
}

/** A PAX extended header ('x', or 'g' for global) holding `records`. */
export function pax(records: [string, string | Uint8Array][], type: 'x' | 'g' = 'x'): Uint8Array[] {
  const parts: Uint8Array[] = []
  for (const [key, value] of records) {
    const body = [...enc.encode(` ${key}=`), ...bytesOf(value), 0x0a]
    let len = body.length + 1
    while (String(len).length + body.length !== len) len++
    parts.push(new Uint8Array([...enc.encode(String(len)), ...body]))
  }
  const data = concat(parts)
  return [header({ name: 'PaxHeaders/x', type, size: data.length }), pad(data)]
}

/** A GNU long name ('L') or long link ('K') member, as GNU tar writes it. */
export function gnuLong(text: string, type: 'L' | 'K'): Uint8Array[] {
  const data = new Uint8Array([...enc.encode(text), 0])
  return [header({ name: '././@LongLink', type, size: data.length, format: 'gnu' }), pad(data)]
}

const MEMBER_TYPE: Partial<Record<Entry['type'], string>> = { file: '0', symlink: '2', hardlink: '1', dir: '5' }
const utf8 = new TextEncoder()

/** An archive entry stored as a tar writer stores it, spelt `name`: PAX records for names past the ustar field. */
export function member(e: Entry, name: string, body?: Uint8Array): Uint8Array[] {
  const type = MEMBER_TYPE[e.type]
  if (!type) return []
  const link = e.type === 'hardlink' ? e.target!.replace(/^\//, '') : (e.target ?? '')
  const records: [string, string][] = []
  if (utf8.encode(name).length > 100) records.push(['path', name])
  if (utf8.encode(link).length > 100) records.push(['linkpath', link])
  const data = e.type === 'file' ? (body ?? new Uint8Array()) : new Uint8Array()
  const h = header({ name: name.slice(0, 100), type, mode: e.mode, uid: e.uid, gid: e.gid, size: data.length, ...(link ? { linkname: link.slice(0, 100) } : {}) })
  return [...(records.length ? pax(records) : []), h, ...(data.length ? [pad(data)] : [])]
}

export const END = new Uint8Array(1024)

export function concat(parts: (Uint8Array | Uint8Array[])[]): Uint8Array {
  const flat = parts.flat()
  const out = new Uint8Array(flat.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of flat) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export function tar(...parts: (Uint8Array | Uint8Array[])[]): Uint8Array {
  return concat([...parts, END])
}

/** A temporary directory, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = scratch('read')
  return { dir, remove: () => removeScratch(dir) }
}

/** An async iterable that yields `data` in pieces of `size` bytes, as a pipe would. */
export async function* chunks(data: Uint8Array, size = 4096): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size)
}

export type Via = 'file' | 'gzip file' | 'stdin' | 'stdin gzip'
export const VIAS: Via[] = ['file', 'gzip file', 'stdin', 'stdin gzip']

/**
 * Read `archive` one of four ways: a tar file (seek), a gzip file, or standard input plain or gzipped (stream,
 * in odd-sized chunks so headers straddle chunk boundaries). Rejections pass through.
 */
export async function readVia(via: Via, archive: Uint8Array, options: Omit<ReadOptions, 'stdin'>): Promise<TreeIndex> {
  const data = via.includes('gzip') ? gzipSync(archive) : archive
  if (via.startsWith('stdin')) return readTree('-', { ...options, stdin: () => chunks(data, 777) })
  const { dir, remove } = tempDir()
  try {
    const path = join(dir, 'image')
    writeFileSync(path, data)
    return await readTree(path, options)
  } finally {
    remove()
  }
}

/** Everything as an entry, no bodies. */
export const ALL_ENTRIES: ReadOptions['interest'] = () => 'entry'
/** Everything with its body. */
export const ALL_BODIES: ReadOptions['interest'] = () => 'body'

export const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b))
