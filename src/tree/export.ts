import { createReadStream } from 'node:fs'
import * as fs from 'node:fs'
import { basename, dirname, join, posix, resolve as resolvePath, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import * as tar from 'tar-stream'
import { QmError } from '../errors.ts'
import {
  byteOrder,
  createDir,
  createFile,
  createHardlink,
  createSymlink,
  emptyTree,
  getNode,
  readBytes,
  removePath,
  setMeta,
  walk,
  type Meta,
  type Tree,
} from './vtree.ts'

/** GNU tar's and star's key for an xattr in a PAX header; RHT.* is Red Hat tar's --selinux form. */
const PAX_LABEL = 'SCHILY.xattr.security.selinux'
const PAX_LABEL_ALT = 'RHT.security.selinux'

// ---- directory -------------------------------------------------------------------------

/**
 * Write the tree into `dir`, which must not exist or be empty. It is built in a sibling
 * temporary directory and renamed into place, so a failure leaves nothing behind. Owners
 * are set only when running as root; SELinux labels cannot be set from Node and are only
 * kept by the tar form.
 */
export function writeTreeToDir(tree: Tree, dir: string): void {
  const target = resolvePath(dir)
  let existing: fs.Stats | undefined
  try {
    existing = fs.statSync(target)
  } catch {
    existing = undefined
  }
  if (existing && (!existing.isDirectory() || fs.readdirSync(target).length > 0)) {
    throw new QmError('OUTPUT_WRITE', `${dir} exists and is not an empty directory`)
  }
  let tmp: string | undefined
  try {
    fs.mkdirSync(dirname(target), { recursive: true })
    tmp = fs.mkdtempSync(join(dirname(target), `.${basename(target)}-`))
    writeEntries(tree, tmp)
    if (existing) fs.rmdirSync(target)
    fs.renameSync(tmp, target)
  } catch (e) {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
    if (e instanceof QmError) throw e
    throw new QmError('OUTPUT_WRITE', `cannot write ${dir}: ${(e as Error).message}`)
  }
}

function writeEntries(tree: Tree, root: string): void {
  const asRoot = process.getuid?.() === 0
  const entries = walk(tree)
  const real = (path: string): string => {
    const p = resolvePath(root, `.${path}`)
    if (p !== root && !p.startsWith(root + sep)) throw new QmError('OUTPUT_WRITE', `${path} would be written outside ${root}`)
    return p
  }
  for (const e of entries) {
    const p = real(e.path)
    if (e.type === 'dir') {
      if (e.path !== '/') fs.mkdirSync(p, { mode: 0o700 })
    } else if (e.type === 'symlink') {
      fs.symlinkSync(e.target!, p)
      if (asRoot) fs.lchownSync(p, e.uid, e.gid)
    } else if (e.hardlinkOf !== undefined) {
      fs.linkSync(real(e.hardlinkOf), p)
    } else {
      // 'wx' never follows or replaces an existing name.
      fs.writeFileSync(p, readBytes(tree, e.path), { flag: 'wx', mode: 0o600 })
      if (asRoot) fs.chownSync(p, e.uid, e.gid)
      fs.chmodSync(p, e.mode)
    }
  }
  // Directories last, deepest first, so read-only ones do not block their own contents.
  for (const e of entries.filter((x) => x.type === 'dir').reverse()) {
    const p = real(e.path)
    if (asRoot) fs.chownSync(p, e.uid, e.gid)
    fs.chmodSync(p, e.mode)
  }
}

// ---- tar ---------------------------------------------------------------------------------

const TYPE_BITS = { file: 0o100000, dir: 0o040000, symlink: 0o120000 } as const

const tarName = (path: string, dir: boolean): string => (path === '/' ? './' : `.${path}${dir ? '/' : ''}`)

/**
 * The tree as a tar archive: entries in walk order, mtime 0, owners by number only, labels as
 * PAX `SCHILY.xattr.security.selinux` records. The same tree always gives the same bytes.
 */
export async function treeToTar(tree: Tree): Promise<Buffer> {
  const pack = tar.pack()
  const collected = (async () => {
    const chunks: Buffer[] = []
    for await (const chunk of pack) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
  })()
  for (const e of walk(tree)) {
    const header: Partial<tar.Header> & { name: string } = {
      name: tarName(e.path, e.type === 'dir'),
      // With the file type bits, as stat() gives it: tar-stream would turn a bare 0 into 0644/0755.
      mode: e.mode | TYPE_BITS[e.type],
      uid: e.uid,
      gid: e.gid,
      uname: '',
      gname: '',
      mtime: new Date(0),
    }
    if (e.label !== undefined) header.pax = { [PAX_LABEL]: e.label }
    let body: Buffer | undefined
    if (e.type === 'dir') header.type = 'directory'
    else if (e.type === 'symlink') Object.assign(header, { type: 'symlink', linkname: e.target })
    else if (e.hardlinkOf !== undefined) Object.assign(header, { type: 'link', linkname: tarName(e.hardlinkOf, false) })
    else {
      header.type = 'file'
      body = readBytes(tree, e.path)
    }
    await new Promise<void>((ok, fail) => {
      const done = (err?: Error | null) => (err ? fail(err) : ok())
      if (body) pack.entry(header, body, done)
      else pack.entry(header, done).end(undefined)
    })
  }
  pack.finalize()
  return collected
}

/** Write the tar form of the tree to `file` atomically (temporary file, then rename). */
export async function writeTreeToTar(tree: Tree, file: string): Promise<void> {
  const bytes = await treeToTar(tree)
  const tmp = join(dirname(resolvePath(file)), `.${basename(file)}-${process.pid}.tmp`)
  try {
    fs.writeFileSync(tmp, bytes, { flag: 'wx' })
    fs.renameSync(tmp, file)
  } catch (e) {
    fs.rmSync(tmp, { force: true })
    throw new QmError('OUTPUT_WRITE', `cannot write ${file}: ${(e as Error).message}`)
  }
}

// ---- reading a seed --------------------------------------------------------------------

/**
 * Load an OS tree to seed `executeManifest` with: a directory, a tar, or a gzip-compressed tar
 * (recognised by its magic bytes, whatever the name). Device nodes, FIFOs and sockets are skipped.
 */
export async function readSeed(path: string): Promise<Tree> {
  let st: fs.Stats
  try {
    st = fs.statSync(path)
  } catch (e) {
    throw new QmError('FILE_READ', `cannot read ${path}: ${(e as Error).message}`)
  }
  if (st.isDirectory()) return readDirectory(path)
  const magic = Buffer.alloc(2)
  const fd = fs.openSync(path, 'r')
  try {
    fs.readSync(fd, magic, 0, 2, 0)
  } finally {
    fs.closeSync(fd)
  }
  const raw = createReadStream(path)
  const gzipped = magic[0] === 0x1f && magic[1] === 0x8b
  return readTar(gzipped ? raw.pipe(createGunzip()) : raw, path, gzipped ? raw : undefined)
}

function readDirectory(dir: string): Tree {
  const top = fs.lstatSync(dir)
  const tree = emptyTree(statMeta(top))
  const inodes = new Map<string, string>()
  const visit = (real: string, path: string): void => {
    for (const name of fs.readdirSync(real).sort(byteOrder)) {
      const r = join(real, name)
      const p = posix.join(path, name)
      const st = fs.lstatSync(r)
      if (st.isDirectory()) {
        createDir(tree, p, statMeta(st))
        visit(r, p)
      } else if (st.isSymbolicLink()) {
        createSymlink(tree, p, fs.readlinkSync(r), st)
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`
        const first = st.nlink > 1 ? inodes.get(key) : undefined
        if (first !== undefined) createHardlink(tree, first, p)
        else {
          createFile(tree, p, fs.readFileSync(r), statMeta(st))
          inodes.set(key, p)
        }
      }
    }
  }
  try {
    visit(dir, '/')
  } catch (e) {
    throw new QmError('FILE_READ', `cannot read ${dir}: ${(e as Error).message}`)
  }
  return tree
}

const statMeta = (st: fs.Stats): Meta => ({ mode: st.mode & 0o7777, uid: st.uid, gid: st.gid })

/** A tar member name as a tree path; names that climb out of the archive are refused. */
function memberPath(name: string, archive: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.')
  if (parts.includes('..')) throw new QmError('TAR_READ', `${archive}: member ${name} climbs out of the archive`)
  return `/${parts.join('/')}`
}

async function readTar(stream: Readable, archive: string, source?: Readable): Promise<Tree> {
  const tree = emptyTree()
  const extract = tar.extract()
  source?.on('error', (e) => extract.destroy(e))
  stream.on('error', (e) => extract.destroy(e))
  stream.pipe(extract)
  try {
    for await (const entry of extract) {
      const h = entry.header as tar.Header & { pax?: Record<string, string> | null }
      const path = memberPath(h.name, archive)
      const label = (h.pax?.[PAX_LABEL] ?? h.pax?.[PAX_LABEL_ALT])?.replace(/\0+$/, '')
      const meta: Meta = { mode: (h.mode ?? 0o644) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0 }
      if (label) meta.label = label
      const chunks: Buffer[] = []
      for await (const chunk of entry) chunks.push(chunk as Buffer)
      if (path === '/') {
        if (h.type === 'directory') setMeta(tree, '/', meta)
        continue
      }
      if (!['file', 'contiguous-file', 'directory', 'symlink', 'link'].includes(h.type ?? 'file')) continue
      parents(tree, path, archive)
      const have = getNode(tree, path)
      if (h.type === 'directory') {
        if (have?.type === 'dir') setMeta(tree, path, meta)
        else {
          if (have) removePath(tree, path)
          createDir(tree, path, meta)
        }
        continue
      }
      if (have?.type === 'dir') throw new QmError('TAR_READ', `${archive}: member ${h.name} replaces a directory`)
      if (have) removePath(tree, path)
      if (h.type === 'symlink') {
        createSymlink(tree, path, h.linkname ?? '', meta)
        if (label) setMeta(tree, path, { label })
      } else if (h.type === 'link') {
        const to = memberPath(h.linkname ?? '', archive)
        if (getNode(tree, to)?.type !== 'file') throw new QmError('TAR_READ', `${archive}: hard link ${h.name} -> ${h.linkname} has no target`)
        createHardlink(tree, to, path)
      } else {
        createFile(tree, path, Buffer.concat(chunks), meta)
      }
    }
  } catch (e) {
    if (e instanceof QmError) throw e
    throw new QmError('TAR_READ', `${archive}: ${(e as Error).message}`)
  }
  return tree
}

/** Make the member's missing parent directories (0755, root); a parent that is not a directory is an error. */
function parents(tree: Tree, path: string, archive: string): void {
  let at = '/'
  for (const part of posix.dirname(path).split('/').filter(Boolean)) {
    at = posix.join(at, part)
    const node = getNode(tree, at)
    if (!node) createDir(tree, at, { mode: 0o755, uid: 0, gid: 0 })
    else if (node.type !== 'dir') throw new QmError('TAR_READ', `${archive}: member ${path} lies under ${at}, which is not a directory`)
  }
}
