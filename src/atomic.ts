// Writing output so that nothing is ever lost: a temporary file beside the target, every byte
// written (a short write is not success), synced, closed, then renamed over the target. On any
// error the temporary file goes and the old target stays. Temporary files and directories still
// being written are tracked, so a signal handler can remove them before the process exits.

import * as nodeFs from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { QmError } from './errors.ts'

/** The file system calls the writer makes: node:fs, or a fake that fails on purpose in tests. */
export interface WriteFs {
  openSync(path: string, flags: string, mode: number): number
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number
  fsyncSync(fd: number): void
  closeSync(fd: number): void
  renameSync(from: string, to: string): void
  rmSync(path: string, options: { force: boolean; recursive?: boolean }): void
}

export interface WriteOptions {
  fs?: WriteFs
  /** called after each chunk is written; the CLI lets tests pause here to deliver a signal mid-write */
  afterChunk?: () => Promise<void>
}

const CHUNK = 1024 * 1024
const live = new Set<string>()

/** Remember a temporary path until `untrack`; `removeTemporaries` deletes whatever is still there. */
export function trackTemporary(path: string): () => void {
  live.add(path)
  return () => void live.delete(path)
}

/** Delete every temporary file and directory still being written (the process is about to exit). */
export function removeTemporaries(): void {
  for (const path of live) {
    try {
      nodeFs.rmSync(path, { recursive: true, force: true })
    } catch {
      // the process is exiting on a signal: nothing better can be done
    }
  }
  live.clear()
}

/** A sibling name for a temporary file of `path`: hidden, and unique to this process and moment. */
export function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`)
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EFBIG: 'the file is too large for the file system',
  EIO: 'an I/O error',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EEXIST: 'a temporary file of that name exists',
}

/** `ENOSPC` as a sentence a user can act on, the code kept for searching. */
export function writeReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code
  if (code) return `${REASONS[code] ?? (e as Error).message} (${code})`
  return e instanceof Error ? e.message : String(e)
}

/**
 * Every output (render -o, tree --out) goes into a directory that exists: a mistyped path is
 * refused rather than growing a new directory tree somewhere.
 */
export function requireParentDir(path: string): void {
  const parent = dirname(resolve(path))
  if (!nodeFs.statSync(parent, { throwIfNoEntry: false })?.isDirectory()) {
    throw new QmError('OUTPUT_WRITE', `cannot write ${path}: the directory ${dirname(path)} does not exist (create it first); nothing was written`)
  }
}

/**
 * Write `data` to `path` so that nothing is lost. A regular file (or a new one) is replaced atomically:
 * readers see the old file or the whole new one, never a part; a symlink is followed, so the file it
 * names is replaced, not the link. A FIFO or a character device (/dev/stdout, a pipe) is written in place,
 * since renaming over it would replace the device node itself. Throws an OUTPUT_WRITE QmError naming the
 * cause; the old file is then untouched and no temporary file is left.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data
  await writeStreamAtomic(path, (write) => write(bytes), options)
}

/**
 * `writeFileAtomic` for output made piece by piece (a tar of a seeded tree is gigabytes): `produce` calls
 * `write` with each piece, in order, awaiting it; a piece's memory may be reused once its write resolves.
 */
export async function writeStreamAtomic(path: string, produce: (write: (bytes: Uint8Array) => Promise<void>) => Promise<void>, options: WriteOptions = {}): Promise<void> {
  const fs = options.fs ?? nodeFs
  const fail = (e: unknown, what: string): never => {
    throw new QmError('OUTPUT_WRITE', `cannot write ${path}: ${writeReason(e)}; ${what}`)
  }
  let st: nodeFs.Stats | undefined
  try {
    st = nodeFs.statSync(path, { throwIfNoEntry: false })
  } catch (e) {
    fail(e, 'nothing was written')
  }
  if (st?.isDirectory()) fail(Object.assign(new Error(''), { code: 'EISDIR' }), 'nothing was written')
  if (st && !st.isFile()) return writeInPlace(path, produce, fs, options, fail)
  if (!st) requireParentDir(path)
  // the file a symlink names is the one to replace, in its own directory
  const real = st ? nodeFs.realpathSync(path) : path
  const tmp = temporaryName(real)
  const untrack = trackTemporary(tmp)
  let fd: number | undefined
  try {
    fd = fs.openSync(tmp, 'wx', st ? st.mode & 0o777 : 0o644)
    const out = fd
    await produce((bytes) => writeAll(fs, out, bytes, options))
    fs.fsyncSync(fd)
    const closing = fd
    fd = undefined
    // close reports deferred write errors on some file systems (NFS): it must succeed too
    fs.closeSync(closing)
    fs.renameSync(tmp, real)
  } catch (e) {
    closeQuietly(fs, fd)
    try {
      fs.rmSync(tmp, { force: true })
    } catch {
      // best effort; the cause is reported below
    }
    if (e instanceof QmError) throw e
    fail(e, st ? 'the old file is kept' : 'nothing was written')
  } finally {
    untrack()
  }
}

/** Every byte, or an error: write(2) may write less than asked, and none at all means the device takes no more. */
async function writeAll(fs: WriteFs, fd: number, bytes: Uint8Array, options: WriteOptions): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const n = fs.writeSync(fd, bytes, done, Math.min(CHUNK, bytes.length - done))
    if (!(n > 0)) throw Object.assign(new Error('the device accepted no more bytes'), { code: 'ENOSPC' })
    done += n
    if (options.afterChunk) await options.afterChunk()
  }
}

async function writeInPlace(
  path: string,
  produce: (write: (bytes: Uint8Array) => Promise<void>) => Promise<void>,
  fs: WriteFs,
  options: WriteOptions,
  fail: (e: unknown, what: string) => never,
): Promise<void> {
  let fd: number | undefined
  try {
    fd = fs.openSync(path, 'w', 0o644)
    const out = fd
    await produce((bytes) => writeAll(fs, out, bytes, options))
    const closing = fd
    fd = undefined
    fs.closeSync(closing)
  } catch (e) {
    closeQuietly(fs, fd)
    if (e instanceof QmError) throw e
    fail(e, 'it is not a regular file, so it was written in place and may have received part of the output')
  }
}

function closeQuietly(fs: WriteFs, fd: number | undefined): void {
  if (fd === undefined) return
  try {
    fs.closeSync(fd)
  } catch {
    // already failing; the first error is the one to report
  }
}
