import * as fs from 'node:fs'
import { basename, dirname, join, posix, resolve as resolvePath, sep } from 'node:path'
import { gzipSync } from 'node:zlib'
import * as tar from 'tar-stream'
import { requireParentDir, trackTemporary, writeFileAtomic, writeReason, type WriteOptions } from '../atomic.ts'
import { QmError } from '../errors.ts'
import { readTree } from '../archive/read-tree.ts'
import {
  byteOrder,
  createDir,
  createFile,
  createHardlink,
  createSymlink,
  emptyTree,
  getNode,
  readBytes,
  setMeta,
  walk,
  type Meta,
  type Tree,
} from './vtree.ts'

/** GNU tar's and star's key for an xattr in a PAX header. */
const PAX_LABEL = 'SCHILY.xattr.security.selinux'

// ---- directory -------------------------------------------------------------------------

/**
 * Write the tree into `dir`, which must not exist or be empty, in a directory that exists
 * (the same rule as every output). It is built in a sibling
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
  requireParentDir(dir)
  let tmp: string | undefined
  let untrack = () => {}
  try {
    tmp = fs.mkdtempSync(join(dirname(target), `.${basename(target)}-`))
    untrack = trackTemporary(tmp)
    writeEntries(tree, tmp)
    if (existing) fs.rmdirSync(target)
    fs.renameSync(tmp, target)
  } catch (e) {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
    if (e instanceof QmError) throw e
    throw new QmError('OUTPUT_WRITE', `cannot write ${dir}: ${writeReason(e)}; nothing was left behind`)
  } finally {
    untrack()
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

/**
 * Write the tar form of the tree to `file` atomically (temporary file, every byte written and
 * synced, then rename), gzip-compressed with `gzip` (the gzip header carries no time or name,
 * so the bytes stay the same for the same tree).
 */
export async function writeTreeToTar(tree: Tree, file: string, { gzip = false, ...options }: WriteOptions & { gzip?: boolean } = {}): Promise<void> {
  const bytes = await treeToTar(tree)
  await writeFileAtomic(file, gzip ? gzipSync(bytes, { level: 9 }) : bytes, options)
}

/** What `--out PATH` writes, by its name: a .tar, a .tar.gz / .tgz, else a directory. */
export type OutputKind = 'tar' | 'tar.gz' | 'dir'
export const outputKind = (path: string): OutputKind => (/\.(tar\.gz|tgz)$/i.test(path) ? 'tar.gz' : /\.tar$/i.test(path) ? 'tar' : 'dir')

// ---- reading a seed --------------------------------------------------------------------

/** A seed is an OS tree: read it whole, far past inspect's limits on what it keeps. */
const SEED_LIMITS = { maxBodyBytes: 4 * 1024 ** 3, maxTotalBodyBytes: 64 * 1024 ** 3, maxEntries: 10_000_000 }

/**
 * Load an OS tree to seed `executeManifest` with: a directory, a tar, or a gzip-compressed tar
 * (recognised by its magic bytes, whatever the name), read by the same reader as inspect.
 * Device nodes, FIFOs and sockets are skipped.
 */
export async function readSeed(path: string): Promise<Tree> {
  const index = await readTree(path, { interest: () => 'body', ...SEED_LIMITS })
  // a seed is trusted to be a clean archive: anything the reader had to leave out is an error
  const [problem] = index.problems
  if (problem) throw new QmError('TAR_READ', `${path}: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`)
  const tree = emptyTree()
  const entries = [...index.entries.values()].sort((a, b) => byteOrder(a.path, b.path))
  for (const e of entries) {
    const label = e.xattrs?.['security.selinux']?.replace(/\0+$/, '')
    const meta: Meta = { mode: e.mode, uid: e.uid, gid: e.gid, ...(label ? { label } : {}) }
    if (e.path === '/') {
      if (e.type === 'dir') setMeta(tree, '/', meta)
      continue
    }
    parents(tree, e.path, path)
    if (e.type === 'dir') createDir(tree, e.path, meta)
    else if (e.type === 'symlink') {
      createSymlink(tree, e.path, e.target ?? '', meta)
      if (label) setMeta(tree, e.path, { label })
    } else if (e.type === 'hardlink' && getNode(tree, e.target!)?.type === 'file') createHardlink(tree, e.target!, e.path)
    else if (e.type === 'file' || e.type === 'hardlink') createFile(tree, e.path, index.bodies.get(e.path) ?? new Uint8Array(), meta)
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
