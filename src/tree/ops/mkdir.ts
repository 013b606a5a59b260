import { posix } from 'node:path'
import { place } from '../location.ts'
import { required, type StageFn } from '../run.ts'
import { createDir, fsError, resolve, resolveParent, type Tree } from '../vtree.ts'

interface MkdirItem {
  path: string
  mode?: number
  parents?: boolean
  exist_ok?: boolean
}

/** The stage runs with umask 022, and mkdir(2) never sets setuid/setgid itself. */
const created = (mode: number): number => mode & 0o1777 & ~0o022

/** org.osbuild.mkdir: os.mkdir, or os.makedirs with `parents` (intermediates get the default 0777, so 0755). */
export const mkdir: StageFn = (options, run) => {
  for (const item of required<MkdirItem[]>(options, 'paths')) {
    run.item(`mkdir ${item.path}`, () => {
      const location = item.path.includes('://') || item.path.startsWith('/') ? item.path : `tree:///${item.path}`
      const { tree, path } = place(location, run)
      const mode = item.mode ?? 0o777
      if (item.parents) makedirs(tree, path, mode, item.exist_ok === true)
      else mkdirOne(tree, path, mode, item.exist_ok === true)
    })
  }
}

/** os.mkdir; with exist_ok the stage swallows FileExistsError whatever is in the way. */
function mkdirOne(tree: Tree, path: string, mode: number, existOk: boolean): void {
  const { dir, name } = resolveParent(tree, path)
  const at = posix.join(dir, name)
  if (resolve(tree, at).node) {
    if (existOk) return
    throw fsError('EEXIST', path, 'file exists')
  }
  createDir(tree, at, { mode: created(mode), uid: 0, gid: 0 })
}

/** os.makedirs: create missing parents with 0777 (umask applied), then the leaf; exist_ok only forgives an existing directory. */
function makedirs(tree: Tree, path: string, mode: number, existOk: boolean): void {
  if (path === '/') {
    if (existOk) return
    throw fsError('EEXIST', path, 'file exists')
  }
  const head = posix.dirname(path)
  if (head !== '/' && !exists(tree, head)) {
    try {
      makedirs(tree, head, 0o777, existOk)
    } catch (e) {
      if (!(e instanceof Error && (e as { code?: string }).code === 'EEXIST')) throw e
    }
  }
  const { dir, name } = resolveParent(tree, path)
  const at = posix.join(dir, name)
  if (resolve(tree, at).node) {
    if (existOk && isDir(tree, at)) return
    throw fsError('EEXIST', path, 'file exists')
  }
  createDir(tree, at, { mode: created(mode), uid: 0, gid: 0 })
}

/** os.path.exists: follows symlinks; false for dangling ones and on any error. */
function exists(tree: Tree, path: string): boolean {
  return followed(tree, path) !== undefined
}

const isDir = (tree: Tree, path: string): boolean => followed(tree, path) === 'dir'

function followed(tree: Tree, path: string): string | undefined {
  try {
    return resolve(tree, path, { follow: true }).node?.type
  } catch {
    return undefined
  }
}
