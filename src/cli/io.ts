import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/** What a command may do to the outside world; tests pass collectors. */
export interface Io {
  out: (text: string) => void
  err: (text: string) => void
  /** standard input as bytes, for a config given as `-`; reading may stop once more than `limit` bytes came */
  stdin: (limit?: number) => Promise<Uint8Array>
  /** standard input as a stream, for an archive given as `-` (never held whole) */
  stdinStream: () => AsyncIterable<Uint8Array>
  /** a path that reads standard input when it is a regular file (`< image.tar`), so it can be seeked */
  stdinFile?: () => string | undefined
  /** colour and other niceties only on a terminal */
  isTTY: boolean
}

/**
 * Write `data` to `path` so that readers see the old file or the whole new one, never a
 * part: a temporary file in the same directory, synced, then renamed over `path`.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`)
  let fd: number | undefined
  try {
    fd = openSync(tmp, 'wx', 0o644)
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(tmp, path)
  } catch (e) {
    if (fd !== undefined) closeSync(fd)
    rmSync(tmp, { force: true })
    throw e
  }
}
