import { posix } from 'node:path'
import { lookup, parseSpecs, parseSubs, type FileContexts } from '../file-contexts.ts'
import { place, treePath } from '../location.ts'
import type { StageFn } from '../run.ts'
import { createFile, fsError, overwriteFile, readBytes, resolve, setMeta, SKIP, updateEach, type Tree } from '../vtree.ts'

/**
 * org.osbuild.selinux: `setfiles -F -r ROOT [-e EXCLUDE]... FILE_CONTEXTS ROOT/TARGET`, then
 * explicit `labels` (setxattr, following symlinks), then the optional /.autorelabel stamp.
 */
export const selinux: StageFn = (options, run) => {
  const fileContexts = options.file_contexts as string | undefined
  const target = (options.target as string | undefined) ?? 'tree:///'
  const excludes = (options.exclude_paths as string[] | undefined) ?? []
  const root = place(target, run)
  if (fileContexts) {
    run.item(`setfiles ${fileContexts} ${target}`, () => {
      // A plain path is relative to the tree; URLs may also name an input.
      const at = fileContexts.includes('://') ? place(fileContexts, run) : { tree: run.tree, path: treePath(fileContexts) }
      const fc = loadContexts(at.tree, at.path)
      setfiles(root.tree, root.path, fc, excludes.map((p) => posix.join(root.path, p)))
    })
  }
  for (const [path, label] of Object.entries((options.labels as Record<string, string> | undefined) ?? {})) {
    run.item(`label ${path}`, () => {
      const { tree, path: p } = place(path, run)
      const r = resolve(tree, p, { follow: true })
      if (!r.node) throw fsError('ENOENT', path, 'no such file or directory')
      setMeta(tree, r.path, { label })
    })
  }
  if (options.force_autorelabel === true) {
    run.item('write /.autorelabel', () => {
      const stamp = Buffer.from('-F')
      const r = resolve(root.tree, '/.autorelabel', { follow: true })
      if (r.node) overwriteFile(root.tree, r.path, stamp)
      else createFile(root.tree, r.path, stamp, { mode: 0o644, uid: 0, gid: 0 })
    })
  }
}

/** The spec file plus what libselinux loads next to it: .homedirs and .local specs, .subs and .subs_dist substitutions. */
function loadContexts(tree: Tree, path: string): FileContexts {
  const read = (p: string): string | undefined => {
    const r = resolve(tree, p, { follow: true })
    return r.node?.type === 'file' ? readBytes(tree, r.path).toString('utf8') : undefined
  }
  const main = read(path)
  if (main === undefined) throw fsError('ENOENT', path, 'no such file_contexts')
  const specs = parseSpecs(main, path)
  for (const extra of ['homedirs', 'local']) {
    const text = read(`${path}.${extra}`)
    if (text !== undefined) specs.push(...parseSpecs(text, `${path}.${extra}`))
  }
  const subs = ['subs', 'subs_dist'].map((s) => parseSubs(read(`${path}.${s}`) ?? ''))
  return { specs, subs }
}

/** Label every entry under `target` (itself included) without following symlinks; excluded directories are skipped whole. */
function setfiles(tree: Tree, target: string, fc: FileContexts, excludes: string[]): void {
  const start = resolve(tree, target)
  if (!start.node) throw fsError('ENOENT', target, 'no such file or directory')
  const skip = new Set(excludes)
  // Paths are matched as setfiles names them: the target as given, then names below it.
  const below = start.path === '/' ? 1 : start.path.length + 1
  const keyDir = posix.join(target, '/')
  updateEach(tree, start.path, (at, node) => {
    const key = at.length < below ? target : keyDir + at.slice(below)
    if (skip.has(key)) return SKIP
    const context = lookup(fc, key, node.type)
    return context === undefined ? undefined : { label: context }
  })
}
