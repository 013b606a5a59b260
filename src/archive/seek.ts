// Reads a tar that is a regular file by position: headers come through a small window, and the data of a
// member nobody wants is never read, only stepped over. An image tar is mostly file content, so this reads a
// small fraction of it. Reads are synchronous on purpose: each is a short pread from the page cache, and one
// round trip through libuv's thread pool per read would cost more than the read itself.

import { readSync } from 'node:fs'
import { BLOCK, isZeroBlock, padded, wordsOver } from './header.ts'
import { notTar } from './magic.ts'
import { MemberDecoder, TarFault, type MemberSink } from './members.ts'
import type { Problem } from './types.ts'

/**
 * Bytes read at a time for headers. Members smaller than this share one read with their neighbours; a larger
 * member is stepped over by starting the next read at its end. On a 1 GB image tar from the page cache, 4 KiB
 * windows took 123 ms of reads, 64 KiB 53 ms, 128-512 KiB 40-42 ms, 1 MiB 47 ms: fewer calls win over fewer
 * bytes copied until the copies dominate.
 */
const WINDOW = 128 * 1024

export function readSeekable(fd: number, fileSize: number, sink: MemberSink, note: (p: Problem) => void): void {
  const decoder = new MemberDecoder(note)
  const buf = Buffer.allocUnsafe(WINDOW)
  const words = wordsOver(buf)
  let winStart = 0
  let winLen = 0

  const fill = (target: Uint8Array, at: number) => {
    let done = 0
    while (done < target.length) {
      const n = readSync(fd, target, done, target.length - done, at + done)
      if (n === 0) throw new TarFault('the file ended while being read (was it changed?)', at + done, decoder.count + 1, true)
      done += n
    }
  }
  /** Index in `buf` of `n` bytes at `at`, reading a new window there when they are not in the current one. */
  const window = (at: number, n: number): number => {
    if (at < winStart || at + n > winStart + winLen) {
      winStart = at
      winLen = Math.min(WINDOW, fileSize - at)
      fill(buf.subarray(0, winLen), at)
    }
    return at - winStart
  }
  /** A copy of `n` bytes at `at`, to keep: from the window when they fit in one, else read on their own. */
  const bytes = (at: number, n: number): Uint8Array => {
    if (n <= WINDOW) {
      const i = window(at, n)
      return new Uint8Array(buf.subarray(i, i + n))
    }
    const out = new Uint8Array(n)
    fill(out, at)
    return out
  }
  const claim = (at: number, n: number, what: string, member: number) => {
    if (at + n > fileSize) {
      throw new TarFault(`${what} claims ${n} bytes but the archive has only ${fileSize - at} left`, at - BLOCK, member, true)
    }
  }

  if (fileSize === 0) throw new TarFault('empty input, not a tar archive', 0, 1)
  let pos = 0
  for (;;) {
    if (pos >= fileSize) {
      if (pos > fileSize) throw new TarFault('truncated archive: the last member is cut short', fileSize, decoder.count, true)
      note({ message: 'the archive has no end-of-archive blocks; it may be truncated' })
      return
    }
    if (pos + BLOCK > fileSize) {
      if (pos === 0) throw new TarFault(notTar(buf, window(0, fileSize), fileSize), 0, 1)
      throw new TarFault('truncated archive: a header is cut short', pos, decoder.count + 1, true)
    }
    const step = decoder.block(buf, window(pos, BLOCK), pos, words)
    pos += BLOCK
    switch (step.kind) {
      case 'end':
        // GNU tar also stops at a single zero block, and warns; so do we.
        if (pos + BLOCK > fileSize || !isZeroBlock(buf, window(pos, BLOCK))) {
          note({ message: `a lone zero block at byte ${pos - BLOCK} ends the archive` })
        }
        return
      case 'next':
        continue
      case 'meta':
        claim(pos, step.size, 'extended header', decoder.count + 1)
        if (step.size <= WINDOW) {
          const i = window(pos, step.size)
          decoder.meta(buf, i, i + step.size)
        } else decoder.meta(bytes(pos, step.size))
        pos += padded(step.size)
        continue
      case 'member': {
        const m = step.member
        if (pos + m.dataSize > fileSize) {
          // indexed as the stream reader would have it, its content cut off
          sink.member(m)
          sink.cut?.(m)
        }
        claim(pos, m.dataSize, 'member', m.index)
        if (sink.member(m)) sink.body(m, bytes(pos, m.dataSize))
        pos += padded(m.dataSize)
        if (sink.done?.()) return
      }
    }
  }
}
