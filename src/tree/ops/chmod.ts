import { posix } from 'node:path'
import { treePath } from '../location.ts'
import { applyMode, parseMode } from '../modes.ts'
import { required, type StageFn } from '../run.ts'
import { fsError, getNode, listDir, resolve, setMeta, type Tree } from '../vtree.ts'

interface ChmodItem {
  mode: string
  recursive?: boolean
}

/** org.osbuild.chmod: `chmod [--recursive] MODE -- PATH` for each item; the path must exist in the tree. */
export const chmod: StageFn = (options, run) => {
  for (const [path, item] of Object.entries(required<Record<string, ChmodItem>>(options, 'items'))) {
    run.item(`chmod ${item.mode} ${path}`, () => {
      const changes = parseMode(item.mode)
      if (!changes) throw new Error(`invalid mode '${item.mode}'`)
      // chmod follows a symlink named on the command line; -R then walks physically, skipping symlinks.
      const { path: at, node } = resolve(run.tree, treePath(path), { follow: true })
      if (!node) throw fsError('ENOENT', path, 'path not in tree')
      const apply = (tree: Tree, p: string): void => {
        const n = getNode(tree, p)!
        if (n.type === 'symlink') return
        setMeta(tree, p, { mode: applyMode(n.mode, changes, n.type === 'dir') })
        if (item.recursive && n.type === 'dir') for (const child of listDir(tree, p)) apply(tree, posix.join(p, child))
      }
      apply(run.tree, at)
    })
  }
}
