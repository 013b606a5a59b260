// Reads a tar from chunks as they arrive (a gunzip stream, standard input, a pipe). Data nobody wants is
// counted off and dropped with the chunk that carried it; the only buffers are one header block, an extended
// header (at most MAX_META_BYTES) and the bodies the caller asked for.

import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { BLOCK, isZeroBlock, padded, wordsOver } from './header.ts'
import { isGzip, MAGIC_BYTES, notTar } from './magic.ts'
import { MemberDecoder, TarFault, type Member, type MemberSink } from './members.ts'
import type { Problem } from './types.ts'

export class StreamParser {
  /** Archive bytes consumed so far. */
  pos = 0
  private state: 'header' | 'data' | 'trailer' | 'done' = 'header'
  private readonly decoder: MemberDecoder
  private readonly sink: MemberSink
  private readonly note: (p: Problem) => void
  private readonly maxBytes: number
  private readonly scratch = Buffer.alloc(BLOCK)
  private readonly scratchWords = wordsOver(this.scratch)
  private metaBuf = new Uint8Array(4096)
  private scratchFill = 0
  /** Data bytes, padding included, still to come for the current member or extended header. */
  private left = 0
  private keep: Uint8Array | undefined
  /** Bytes of `keep` to fill: the data's size (without padding). */
  private keepLength = 0
  private kept = 0
  private owner: Member | 'meta' | undefined

  constructor(sink: MemberSink, note: (p: Problem) => void, maxBytes: number) {
    this.decoder = new MemberDecoder(note)
    this.sink = sink
    this.note = note
    this.maxBytes = maxBytes
  }

  /** Feed the next chunk. Returns true once the archive has ended: the rest of the input is not needed. */
  push(chunk: Uint8Array): boolean {
    if (this.pos + chunk.length > this.maxBytes) {
      throw new TarFault(`more than ${this.maxBytes} bytes of tar data (a decompression bomb?); stopped`, this.pos, this.member)
    }
    const n = chunk.length
    let words: Uint32Array | undefined
    let i = 0
    while (i < n && this.state !== 'done') {
      if (this.state === 'data') {
        const take = Math.min(this.left, n - i)
        if (this.keep && this.kept < this.keepLength) {
          const c = Math.min(take, this.keepLength - this.kept)
          this.keep.set(chunk.subarray(i, i + c), this.kept)
          this.kept += c
        }
        i += take
        this.pos += take
        this.left -= take
        if (this.left === 0) this.dataDone()
        continue
      }
      let block: Uint8Array
      let at: number
      if (this.scratchFill === 0 && n - i >= BLOCK) {
        block = chunk
        words ??= wordsOver(chunk)
        at = i
        i += BLOCK
      } else {
        const c = Math.min(BLOCK - this.scratchFill, n - i)
        this.scratch.set(chunk.subarray(i, i + c), this.scratchFill)
        this.scratchFill += c
        i += c
        if (this.scratchFill < BLOCK) break
        this.scratchFill = 0
        block = this.scratch
        at = 0
      }
      const offset = this.pos
      this.pos += BLOCK
      if (this.state === 'trailer') {
        if (!isZeroBlock(block, at)) this.note({ message: `a lone zero block at byte ${offset - BLOCK} ends the archive` })
        this.state = 'done'
        break
      }
      this.header(block, at, offset, block === chunk ? words : this.scratchWords)
    }
    return this.state === 'done'
  }

  /** The number of the member being read, for messages. */
  get member(): number {
    return this.state === 'data' && this.owner !== 'meta' ? this.decoder.count : this.decoder.count + 1
  }

  /** The input has ended: fine after the end-of-archive blocks or between members, a fault anywhere else. */
  end(): void {
    const { member } = this
    if (this.state === 'done') return
    if (this.state === 'trailer' && this.scratchFill === 0) {
      this.note({ message: `a lone zero block at byte ${this.pos - BLOCK} ends the archive` })
    } else if (this.state === 'header' && this.scratchFill === 0) {
      if (this.pos === 0) throw new TarFault('empty input, not a tar archive', 0, 1)
      this.note({ message: 'the archive has no end-of-archive blocks; it may be truncated' })
    } else if (this.pos === 0) {
      throw new TarFault(notTar(this.scratch, 0, this.scratchFill), 0, 1)
    } else {
      const where = this.state === 'data' ? 'inside member data' : 'inside a header'
      this.cutShort()
      throw new TarFault(`truncated archive: the input ends ${where}`, this.pos + this.scratchFill, member, true)
    }
  }

  /** The input stops here: tell the sink whose data it cuts. */
  cutShort(): void {
    const { owner } = this
    if (this.state === 'data' && owner !== undefined && owner !== 'meta') this.sink.cut?.(owner)
  }

  private header(block: Uint8Array, at: number, offset: number, words: Uint32Array | undefined): void {
    const step = this.decoder.block(block, at, offset, words)
    switch (step.kind) {
      case 'end':
        this.state = 'trailer'
        return
      case 'next':
        return
      case 'meta':
        // One buffer serves every extended header (the decoder copies out what it keeps); it grows as needed.
        if (step.size > this.metaBuf.length) this.metaBuf = new Uint8Array(Math.max(step.size, this.metaBuf.length * 2))
        this.startData(step.size, this.metaBuf, 'meta')
        return
      case 'member': {
        const m = step.member
        this.startData(m.dataSize, this.sink.member(m) ? new Uint8Array(m.dataSize) : undefined, m)
      }
    }
  }

  private startData(size: number, keep: Uint8Array | undefined, owner: Member | 'meta'): void {
    this.keep = keep
    this.keepLength = size
    this.kept = 0
    this.owner = owner
    this.left = padded(size)
    if (this.left === 0) this.dataDone()
    else this.state = 'data'
  }

  private dataDone(): void {
    const { keep, owner } = this
    this.keep = undefined
    this.owner = undefined
    this.state = 'header'
    if (owner === 'meta') this.decoder.meta(keep!, 0, this.keepLength)
    else if (owner) {
      if (keep) this.sink.body(owner, keep)
      if (this.sink.done?.()) this.state = 'done'
    }
  }
}

/** Chunks out of gunzip; fewer, larger chunks mean fewer trips through the thread pool. */
const GUNZIP_CHUNK = 256 * 1024

/**
 * Read a tar, or a gzip-compressed tar, from `source`; which one is told by its first bytes. Stops pulling
 * from `source` once the archive has ended. Resolves with what it was; faults reject as TarFault.
 */
export async function readTarStream(
  source: AsyncIterable<Uint8Array>,
  sink: MemberSink,
  note: (p: Problem) => void,
  maxBytes: number,
): Promise<'tar' | 'tar.gz'> {
  const parser = new StreamParser(sink, note, maxBytes)
  const chunks = source[Symbol.asyncIterator]()
  const head: Uint8Array[] = []
  let headLength = 0
  try {
    while (headLength < MAGIC_BYTES) {
      const next = await chunks.next()
      if (next.done) break
      head.push(next.value)
      headLength += next.value.length
    }
  } catch (e) {
    await chunks.return?.()
    throw e
  }
  // The peeked chunks first, then the rest; returning early closes the source.
  const replay = async function* () {
    try {
      yield* head
      for (;;) {
        const next = await chunks.next()
        if (next.done) return
        yield next.value
      }
    } finally {
      await chunks.return?.()
    }
  }

  const kind = isGzip(Buffer.concat(head)) ? 'tar.gz' : 'tar'
  try {
    return await readKnown(kind, parser, chunks, head, replay)
  } catch (e) {
    if (e instanceof TarFault) e.kind = kind
    throw e
  }
}

async function readKnown(
  kind: 'tar' | 'tar.gz',
  parser: StreamParser,
  chunks: AsyncIterator<Uint8Array>,
  head: Uint8Array[],
  replay: () => AsyncGenerator<Uint8Array>,
): Promise<'tar' | 'tar.gz'> {
  if (kind === 'tar') {
    // Straight off the iterator: an async generator in between costs more per chunk than parsing it.
    try {
      let ended = false
      for (const chunk of head) if ((ended = parser.push(chunk))) break
      while (!ended) {
        const next = await chunks.next()
        if (next.done) break
        ended = parser.push(next.value)
      }
    } finally {
      await chunks.return?.()
    }
    parser.end()
    return 'tar'
  }
  const compressed = Readable.from(replay(), { objectMode: false })
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK })
  let readFailed: unknown
  compressed.on('error', (e) => {
    readFailed = e
    gunzip.destroy(e)
  })
  compressed.pipe(gunzip)
  try {
    for await (const chunk of gunzip) if (parser.push(chunk as Uint8Array)) break
  } catch (e) {
    if (e instanceof TarFault) throw e
    const message = e instanceof Error ? e.message : String(e)
    // zlib's Z_BUF_ERROR at the end of its input: the gzip stream is cut short, not corrupt inside
    const cut = !readFailed && (e as NodeJS.ErrnoException | undefined)?.code === 'Z_BUF_ERROR'
    if (cut) parser.cutShort()
    const what = readFailed ? `cannot read: ${message}` : cut ? `truncated gzip stream (${message})` : `corrupt gzip stream (${message})`
    throw new TarFault(what, parser.pos, parser.member, cut)
  } finally {
    compressed.destroy()
    gunzip.destroy()
  }
  parser.end()
  return 'tar.gz'
}
