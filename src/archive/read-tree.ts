// The one entry point: `readTree(PATH | '-')` picks the reader from what the input is (a directory, or a tar
// whose compression is told by its first bytes, never by its name) and returns the index the caller asked for.

import { closeSync, createReadStream, fstatSync, openSync, read, readSync, statSync, type Stats } from 'node:fs'
import { promisify } from 'node:util'
import { QmError } from '../errors.ts'
import { IndexBuilder } from './collect.ts'
import { readDirectory } from './dir.ts'
import { LinkTargets } from './links.ts'
import { isGzip, MAGIC_BYTES } from './magic.ts'
import { TarFault } from './members.ts'
import { readSeekable } from './seek.ts'
import { readTarStream } from './stream.ts'
import { DEFAULTS, type ReadOptions, type TreeIndex } from './types.ts'

/** Bytes per read from a file that is streamed (compressed, or a pipe). */
const READ_CHUNK = 256 * 1024
const readAt = promisify(read)

/**
 * Read the tree at `input`: a directory, a tar or gzip-compressed tar file, a pipe carrying one, or '-' for
 * one on `options.stdin`. Nothing is written, and nothing outside the input is read.
 *
 * Resolves with the index; what it could not index is in `problems`. Rejects with a QmError: FILE_READ when
 * the input cannot be opened; TAR_READ when the archive cannot be read to its end (truncated, a bad header
 * checksum, a size beyond the end of the file, not a tar, corrupt gzip, more than `maxStreamBytes`), with the
 * message '<input>: <what>, at byte N / member M', N counting bytes of the tar (after decompression).
 */
export async function readTree(input: string, options: ReadOptions): Promise<TreeIndex> {
  const builder = new IndexBuilder(options)
  try {
    return await readInto(builder, input, options)
  } catch (e) {
    if (!cutShort(e, options)) throw e
    // what came before the cut is sound: index it, and say where and why the rest is missing
    builder.problem({ message: `${e.message}, at byte ${e.offset} / member ${e.member}`, truncated: true })
    return finish(builder, e.kind ?? 'tar', 'the archive is cut short')
  }
}

/** A truncated archive that the caller asked to have read as far as it goes. */
const cutShort = (e: unknown, options: ReadOptions): e is TarFault => options.partial === true && e instanceof TarFault && e.truncated === true

async function readInto(builder: IndexBuilder, input: string, options: ReadOptions): Promise<TreeIndex> {
  const maxBytes = options.maxStreamBytes ?? DEFAULTS.maxStreamBytes
  const note = builder.problem.bind(builder)
  const silent = () => {}
  try {
    if (input === '-') {
      if (!options.stdin) throw new QmError('FILE_READ', "-: no standard input was given to read")
      const kind = await readTarStream(options.stdin(), builder, note, maxBytes)
      return finish(builder, kind, 'standard input cannot be read twice')
    }
    let st: Stats
    try {
      st = statSync(input)
    } catch (e) {
      throw new QmError('FILE_READ', `${input}: ${reason(e)}`)
    }
    if (st.isDirectory()) {
      readDirectory(input, st, builder)
      return builder.finish('dir')
    }
    if (!st.isFile()) {
      // A pipe or a device: streamed, and opened asynchronously, so a pipe with no writer yet does not block.
      const kind = await readTarStream(createReadStream(input, { highWaterMark: READ_CHUNK }), builder, note, maxBytes)
      return finish(builder, kind, 'a pipe cannot be read twice')
    }
    let fd: number
    try {
      fd = openSync(input, 'r')
    } catch (e) {
      throw new QmError('FILE_READ', `${input}: ${reason(e)}`)
    }
    try {
      const size = fstatSync(fd).size
      const head = new Uint8Array(MAGIC_BYTES)
      readSync(fd, head, 0, head.length, 0)
      if (isGzip(head)) {
        const compressed = () => chunksOf(fd)
        await readTarStream(compressed(), builder, note, maxBytes)
        if (builder.pending.length > 0) {
          const links = new LinkTargets(builder)
          await readTarStream(compressed(), links, silent, maxBytes)
          links.apply()
        }
        return finish(builder, 'tar.gz')
      }
      readSeekable(fd, size, builder, note)
      if (builder.pending.length > 0) {
        const links = new LinkTargets(builder)
        readSeekable(fd, size, links, silent)
        links.apply()
      }
      return finish(builder, 'tar')
    } finally {
      closeSync(fd)
    }
  } catch (e) {
    throw cutShort(e, options) ? e : asQmError(e, input)
  }
}

/**
 * The file's bytes from the start, by positional reads, so it can be read twice. (A ReadStream given the fd
 * closes it when destroyed, even with autoClose off, and stopping early destroys it.)
 */
export async function* chunksOf(fd: number, chunk = READ_CHUNK): AsyncIterable<Uint8Array> {
  for (let pos = 0; ; ) {
    const buf = Buffer.allocUnsafe(chunk)
    const { bytesRead } = await readAt(fd, buf, 0, chunk, pos)
    if (bytesRead === 0) return
    pos += bytesRead
    yield buf.subarray(0, bytesRead)
  }
}

/** Report wanted hard links that got no content, then close the index. */
function finish(builder: IndexBuilder, kind: TreeIndex['kind'], noSecondPass?: string): TreeIndex {
  for (const link of builder.pending) {
    if (builder.bodies.has(link.link)) continue
    const why = noSecondPass ?? `no regular file ${link.target} within the limits comes before it in the archive`
    builder.problem({ path: link.link, message: `content of this hard link not read: ${why}` })
  }
  return builder.finish(kind)
}

export function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOENT') return 'no such file or directory'
  if (code === 'EACCES') return 'permission denied'
  return e instanceof Error ? e.message : String(e)
}

/** Faults of the input become QmErrors; anything else (a bug, or the caller's interest throwing) stays as is. */
export function asQmError(e: unknown, input: string): unknown {
  if (e instanceof QmError) return e
  if (e instanceof TarFault) return new QmError('TAR_READ', `${input}: ${e.message}, at byte ${e.offset} / member ${e.member}`)
  const system = e as NodeJS.ErrnoException | undefined
  if (typeof system?.syscall === 'string') return new QmError('TAR_READ', `${input}: cannot be read: ${reason(e)}`)
  return e
}
