// Local files a config names (source_path, source_glob matches, tarballs, seccomp and policy sources) end up
// inside the image. So they may only come from one tree the user vouches for, the source root, and only regular
// files are read, never more than a limit: a config must not be able to embed the build machine's /etc/shadow,
// hang render on a FIFO, or exhaust memory on /dev/zero.

import { closeSync, constants, existsSync, fstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs'
import { dirname, isAbsolute, join, resolve, sep } from 'node:path'
import type { ErrorCode } from '../errors.ts'

/** Where relative paths start (the config's directory) and the tree every source must resolve into. */
export interface SourceContext {
  /** absolute directory that relative source paths are resolved against */
  base: string
  /** the real (symlink-free) path of the source root */
  root: string
}

export type SourceRead = { bytes: Uint8Array } | { code: ErrorCode; message: string }

/**
 * The source root of a config: `explicit` when given (`--source-root`), else the nearest directory at or
 * above the config's own that holds `.git` (a directory, or the file a git worktree has), else the config's
 * directory. Relative paths start at the config's directory either way.
 */
export function sourceContext(configFile: string, explicit?: string): SourceContext | { code: ErrorCode; message: string } {
  const base = resolve(dirname(configFile))
  if (explicit !== undefined) {
    try {
      const root = realpathSync.native(explicit)
      if (!statSync(root).isDirectory()) return { code: 'FILE_READ', message: `the source root ${explicit} is not a directory` }
      return { base, root }
    } catch (e) {
      return { code: 'FILE_READ', message: `the source root ${explicit} cannot be used: ${errno(e)}` }
    }
  }
  let real: string
  try {
    real = realpathSync.native(base)
  } catch {
    // the config's directory is gone (or never existed, as for standard input's '.'): nothing can be read from it
    return { base, root: base }
  }
  for (let dir = real; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return { base, root: dir }
    if (dirname(dir) === dir) return { base, root: real }
  }
}

const inside = (path: string, root: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep)

const KIND = (st: Stats): string =>
  st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : 'not a regular file'

const CHUNK = 1024 * 1024

/**
 * The bytes of the local file `path` (relative to `ctx.base`), if it resolves (every symlink followed) into
 * the source root, is a regular file and holds at most `limit` bytes. The size is checked with fstat before
 * reading and again while reading, so a file that grows (or lies about its size) is never read past the limit.
 */
export function readSource(path: string, ctx: SourceContext, limit: number, limitIs = 'the limit for one local file'): SourceRead {
  // no lexical normalisation: realpath resolves 'link/..' as the kernel does, through the link
  const full = isAbsolute(path) ? path : `${ctx.base}/${path}`
  let real: string
  try {
    real = realpathSync.native(full)
  } catch (e) {
    return { code: 'FILE_READ', message: `cannot read ${full}: ${errno(e)}` }
  }
  if (!inside(real, ctx.root)) {
    const shown = real === full ? full : `${full} (which resolves to ${real})`
    return { code: 'PATH_NOT_ALLOWED', message: `${shown} is outside the source root ${ctx.root}; local files come from the config's repository, or from the directory given with --source-root` }
  }
  let before: Stats
  try {
    // stat before open: opening some devices has effects of its own (a tape rewinds, a tty becomes controlling)
    before = statSync(real)
  } catch (e) {
    return { code: 'FILE_READ', message: `cannot read ${full}: ${errno(e)}` }
  }
  if (!before.isFile()) return { code: 'FILE_READ', message: `${full} is ${KIND(before)}; only regular files can be sources` }
  let fd: number | undefined
  try {
    // O_NONBLOCK: a FIFO swapped in after the stat does not block the open; O_NOFOLLOW: nor does a new symlink
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY)
    const st = fstatSync(fd)
    if (!st.isFile() || st.ino !== before.ino || st.dev !== before.dev) {
      return { code: 'FILE_READ', message: `${full} changed while it was being opened; not read` }
    }
    if (st.size > limit) return tooBig(full, `is ${st.size} bytes`, limit, limitIs)
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      // never ask for more than one byte past the limit
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, limit - total + 1))
      const n = readSync(fd, buf, 0, buf.length, null)
      if (n === 0) break
      total += n
      if (total > limit) return tooBig(full, `grew while being read, to more than ${limit} bytes`, limit, limitIs)
      chunks.push(buf.subarray(0, n))
    }
    return { bytes: new Uint8Array(Buffer.concat(chunks, total)) }
  } catch (e) {
    return { code: 'FILE_READ', message: `cannot read ${full}: ${errno(e)}` }
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

function tooBig(file: string, what: string, limit: number, limitIs: string): SourceRead {
  return {
    code: 'FILE_READ',
    message: `${file} ${what}, over ${limitIs} (${limit} bytes): local files are embedded into the manifest; serve a big one with url: file://… and its sha256`,
  }
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message
