import { posix } from 'node:path'
import { place } from '../location.ts'
import { required, type StageFn } from '../run.ts'
import { createHardlink, createSymlink, fsError, resolve, resolveParent } from '../vtree.ts'

interface LnItem {
  target: string
  link_name: string
  symbolic?: boolean
}

/** Where the stage sees the tree: a hard link target is a path in the build sandbox, not a location URL. */
const SANDBOX_TREE = '/run/osbuild/tree/'

/** org.osbuild.ln: os.symlink(target, link) writes the target verbatim; os.link needs an existing file. */
export const ln: StageFn = (options, run) => {
  for (const item of required<LnItem[]>(options, 'paths')) {
    run.item(`ln ${item.symbolic ? '-s ' : ''}${item.target} ${item.link_name}`, () => {
      const { tree, path } = place(item.link_name, run)
      const { dir, name } = resolveParent(tree, path)
      const at = posix.join(dir, name)
      if (resolve(tree, at).node) throw fsError('EEXIST', item.link_name, 'file exists')
      if (item.symbolic) {
        createSymlink(tree, at, item.target)
        return
      }
      if (!item.target.startsWith(SANDBOX_TREE)) {
        throw new Error(`hard link target ${item.target} is resolved in the build sandbox; only ${SANDBOX_TREE}… is emulated`)
      }
      const existing = resolve(run.tree, `/${item.target.slice(SANDBOX_TREE.length)}`)
      if (!existing.node) throw fsError('ENOENT', item.target, 'no such file')
      if (existing.node.type === 'dir') throw fsError('EPERM', item.target, 'cannot hard-link a directory')
      createHardlink(tree, existing.path, at)
    })
  }
}
