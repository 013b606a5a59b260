// Reads a tree that is a directory on disk. Every name below the root is looked at with lstat and opened with
// O_NOFOLLOW, so a symlink is reported as one and never followed, wherever it points. The root itself is
// followed (the user named it). Node has no xattr API, so entries carry no xattrs.

import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, type Stats } from 'node:fs'
import type { IndexBuilder } from './collect.ts'
import type { EntryType, Entry } from './types.ts'

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

/** A system error in words, without the build machine's path (the entry's path goes with the problem). */
const WHY: Record<string, string> = { EACCES: 'permission denied', EPERM: 'operation not permitted', ENOENT: 'no such file or directory', ELOOP: 'too many levels of symbolic links', EIO: 'input/output error' }
function why(e: unknown): string {
  const { code, message } = e as NodeJS.ErrnoException
  return (code && WHY[code]) ?? (code ? `${code}` : String(message ?? e))
}

function typeOf(st: Stats): EntryType {
  if (st.isFile()) return 'file'
  if (st.isDirectory()) return 'dir'
  if (st.isSymbolicLink()) return 'symlink'
  return 'other'
}

/**
 * Walk `root` depth first in byte order of names, so the entries come in the order a sorted tar would list
 * them. The walk keeps a stack of names still to visit, not a recursion, so depth cannot overflow the stack.
 */
export function readDirectory(root: string, rootStat: Stats, builder: IndexBuilder): void {
  // a file seen before under another name is a hard link to that name, as tar records it
  const inodes = new Map<string, string>()
  const visit = (path: string, st: Stats): void => {
    let type = typeOf(st)
    let linkTo: string | undefined
    if (type === 'file' && st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`
      linkTo = inodes.get(key)
      if (linkTo !== undefined && builder.entries.has(linkTo)) type = 'hardlink'
      else inodes.set(key, path)
    }
    const size = type === 'file' ? st.size : 0
    const real = root + path
    const interest = builder.consider(path, type, size)
    if (interest !== 'skip') {
      const entry: Entry = { path, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size }
      if (type === 'hardlink') entry.target = linkTo
      if (type === 'symlink') {
        try {
          entry.target = readlinkSync(real)
        } catch (e) {
          builder.problem({ path, message: `cannot read the link: ${why(e)}` })
        }
      }
      if (builder.keep(entry, interest)) readBody(real, path, st, builder)
    }
    if (type === 'dir') {
      let names: string[]
      try {
        names = readdirSync(real)
      } catch (e) {
        builder.problem({ path, message: `cannot list the directory: ${why(e)}`, unread: true })
        return
      }
      names.sort(byteOrder)
      for (let i = names.length - 1; i >= 0; i--) stack.push(path === '/' ? `/${names[i]}` : `${path}/${names[i]}`)
    }
  }

  const stack: string[] = []
  root = root.endsWith('/') && root.length > 1 ? root.slice(0, -1) : root
  if (root === '/') root = ''
  visit('/', rootStat)
  for (let path = stack.pop(); path !== undefined; path = stack.pop()) {
    let st: Stats
    try {
      st = lstatSync(root + path)
    } catch (e) {
      builder.problem({ path, message: `cannot read: ${why(e)}` })
      continue
    }
    visit(path, st)
  }
}

/**
 * Read a wanted file without following a symlink swapped in since the lstat (O_NOFOLLOW), without blocking
 * on a FIFO swapped in (O_NONBLOCK), and only when the opened file is still the one lstat saw.
 */
function readBody(real: string, path: string, st: Stats, builder: IndexBuilder): void {
  let fd: number | undefined
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    const now = fstatSync(fd)
    if (!now.isFile() || now.ino !== st.ino || now.dev !== st.dev || now.size !== st.size) {
      builder.problem({ path, message: 'changed while being read; content not read' })
      return
    }
    const body = new Uint8Array(st.size)
    let done = 0
    while (done < body.length) {
      const n = readSync(fd, body, done, body.length - done, done)
      if (n === 0) break
      done += n
    }
    if (done < body.length) builder.problem({ path, message: 'shrank while being read; content not read' })
    else builder.keepBody(path, body)
  } catch (e) {
    builder.problem({ path, message: `cannot read: ${why(e)}` })
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
