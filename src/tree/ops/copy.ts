import { posix } from 'node:path'
import { place } from '../location.ts'
import { required, type StageFn } from '../run.ts'
import {
  bodyOf,
  createDir,
  createFile,
  createHardlink,
  createSpecial,
  createSymlink,
  fsError,
  getNode,
  isFsError,
  listDir,
  overwriteFile,
  removePath,
  resolve,
  resolveParent,
  setMeta,
  shareDir,
  type Meta,
  type Node,
  type Tree,
} from '../vtree.ts'

interface CopyItem {
  from: string
  to: string
  remove_destination?: boolean
}

/** org.osbuild.copy runs `cp -a --reflink=auto [--remove-destination] SRC DST` for each item. */
export const copy: StageFn = (options, run) => {
  for (const item of required<CopyItem[]>(options, 'paths')) {
    run.item(`copy ${item.from} -> ${item.to}`, () => {
      const src = place(item.from, run)
      const dst = place(item.to, run)
      cpArchive(src, dst, item.remove_destination === true)
    })
  }
}

interface Operand {
  tree: Tree
  path: string
  contents: boolean
}

/** GNU `cp -a` with two operands, on virtual trees. */
export function cpArchive(src: Operand, dst: Operand, removeDestination: boolean): void {
  // SRC: `dir/.` is the directory itself under the name "."; otherwise the last component is not followed (-P).
  const from = statSource(src)
  const name = src.contents ? '.' : posix.basename(src.path)

  // DST: an existing directory (symlinks followed) receives SRC under its name.
  let target = dst.path
  if (dst.contents) {
    const r = resolve(dst.tree, dst.path, { follow: true })
    if (!r.node) throw fsError('ENOENT', dst.path, `cannot create ${dst.path}/.: no such directory`)
    if (r.node.type !== 'dir') throw fsError('ENOTDIR', dst.path, 'not a directory')
    target = name === '.' ? r.path : posix.join(r.path, name)
  } else {
    const r = followedDestination(dst, removeDestination)
    if (r?.node?.type === 'dir') target = name === '.' ? r.path : posix.join(r.path, name)
  }

  const { dir, name: last } = resolveParent(dst.tree, target)
  target = posix.join(dir, last)
  const srcNode = getNode(src.tree, from)!
  if (src.tree === dst.tree && target === from) throw fsError('EINVAL', src.path, `${target} and the source are the same file`)
  if (src.tree === dst.tree && srcNode.type === 'dir' && target.startsWith(`${from}/`)) {
    throw fsError('EINVAL', src.path, `cannot copy a directory into itself (${target})`)
  }
  copyNode(src.tree, from, dst.tree, target, removeDestination, new Map())
}

/** lstat() of SRC, or stat() of `SRC/.`, as a canonical path; anything missing on the way is "cannot stat". */
function statSource(src: Operand): string {
  let r
  try {
    r = resolve(src.tree, src.path, { follow: src.contents })
  } catch (e) {
    if (isFsError(e, 'ENOENT') || isFsError(e, 'ENOTDIR')) throw fsError('ENOENT', src.path, 'cannot stat: no such file or directory')
    throw e
  }
  if (!r.node) throw fsError('ENOENT', src.path, 'cannot stat: no such file or directory')
  if (src.contents && r.node.type !== 'dir') throw fsError('ENOTDIR', src.path, 'cannot stat: not a directory')
  return r.path
}

/**
 * stat() of DST. osbuild would resolve an absolute symlink there in the build root. With
 * --remove-destination the link is replaced anyway, assuming what it names there is no directory.
 */
function followedDestination(dst: Operand, removeDestination: boolean) {
  try {
    return resolve(dst.tree, dst.path, { follow: true })
  } catch (e) {
    if (removeDestination && isFsError(e, 'EXDEV') && getNode(dst.tree, resolveParentPath(dst))?.type === 'symlink') return undefined
    throw e
  }
}

function resolveParentPath(dst: Operand): string {
  const { dir, name } = resolveParent(dst.tree, dst.path)
  return posix.join(dir, name)
}

const metaOf = (node: Node): Meta => ({ mode: node.mode, uid: node.uid, gid: node.gid })

/** What -a preserves besides contents: mode, owner, and xattrs present on the source (labels are added, never removed). */
function preserve(tree: Tree, path: string, node: Node): void {
  setMeta(tree, path, node.label === undefined ? metaOf(node) : { ...metaOf(node), label: node.label })
}

function copyNode(from: Tree, src: string, to: Tree, dst: string, removeDestination: boolean, links: Map<number, string>): void {
  const node = getNode(from, src)!
  const have = getNode(to, dst)
  if (node.type === 'dir') {
    if (!have) {
      createDir(to, dst, metaOf(node))
      // A finished pipeline's directory is read where it is until something below it changes.
      if (shareDir(to, dst, from, src)) return preserve(to, dst, node)
    } else if (have.type !== 'dir') throw fsError('EEXIST', dst, `cannot overwrite non-directory with directory ${src}`)
    // joined once per directory: its entries' names are single components
    const [srcDir, dstDir] = [posix.join(src, '/'), posix.join(dst, '/')]
    for (const child of listDir(from, src)) copyNode(from, srcDir + child, to, dstDir + child, removeDestination, links)
    preserve(to, dst, node)
    return
  }
  if (have?.type === 'dir') throw fsError('EEXIST', dst, `cannot overwrite directory with non-directory ${src}`)
  if (node.type === 'symlink') {
    if (have) removePath(to, dst)
    createSymlink(to, dst, node.target!, node)
    if (node.label !== undefined) setMeta(to, dst, { label: node.label })
    return
  }
  // -a keeps hard links that are copied together.
  const linkedTo = node.nlink > 1 ? links.get(node.ino) : undefined
  if (linkedTo !== undefined) {
    if (have) removePath(to, dst)
    createHardlink(to, linkedTo, dst)
    return
  }
  if (node.nlink > 1) links.set(node.ino, dst)
  if (node.type !== 'file') {
    // A device or FIFO: cp -a makes a new node (mknod) in place of whatever non-directory is there.
    if (have) removePath(to, dst)
    createSpecial(to, dst, { type: node.type, major: node.major!, minor: node.minor! }, metaOf(node))
    preserve(to, dst, node)
    return
  }
  // The bytes are not copied: both trees name the same content, as a reflink would.
  const data = bodyOf(from, src)
  if (!have) {
    createFile(to, dst, data, metaOf(node))
    preserve(to, dst, node)
  } else if (removeDestination || (have.type === 'file' && have.nlink > 1)) {
    // cp -a unlinks a multiply-linked destination rather than write through to its other names.
    removePath(to, dst)
    createFile(to, dst, data, metaOf(node))
    preserve(to, dst, node)
  } else if (have.type === 'symlink') {
    // Without --remove-destination cp writes through the symlink to an existing file.
    const through = resolve(to, dst, { follow: true })
    if (!through.node) throw fsError('EINVAL', dst, `not writing through dangling symlink (-> ${have.target})`)
    if (through.node.type !== 'file') throw fsError('EISDIR', dst, `symlink leads to a directory (${through.path})`)
    overwriteFile(to, through.path, data)
    preserve(to, through.path, node)
  } else {
    overwriteFile(to, dst, data)
    preserve(to, dst, node)
  }
}
