import { posix } from 'node:path'
import { treePath } from '../location.ts'
import { required, type StageFn } from '../run.ts'
import { fsError, getNode, listDir, readFile, resolve, setMeta, type Tree } from '../vtree.ts'

interface ChownItem {
  user?: string | number
  group?: string | number
  recursive?: boolean
}

/**
 * org.osbuild.chown: `chroot TREE chown [--recursive] USER:GROUP -- PATH`. The tree's own
 * chown binary and its /etc/passwd and /etc/group decide, so both must be in the tree.
 */
export const chown: StageFn = (options, run) => {
  for (const [path, item] of Object.entries(required<Record<string, ChownItem>>(options, 'items'))) {
    run.item(`chown ${path}`, () => {
      if (!['/usr/bin/chown', '/bin/chown'].some((p) => exists(run.tree, p))) {
        throw fsError('ENOENT', '/usr/bin/chown', 'the tree has no chown to run in a chroot')
      }
      const uid = item.user === undefined ? undefined : id(run.tree, '/etc/passwd', item.user)
      const gid = item.group === undefined ? undefined : id(run.tree, '/etc/group', item.group)
      // like chown: the named path is followed; -R then walks physically and changes links themselves
      const { path: at, node } = resolve(run.tree, treePath(path), { follow: true })
      if (!node) throw fsError('ENOENT', path, 'path not in tree')
      const apply = (tree: Tree, p: string): void => {
        setMeta(tree, p, { ...(uid === undefined ? {} : { uid }), ...(gid === undefined ? {} : { gid }) })
        if (item.recursive && getNode(tree, p)!.type === 'dir') for (const child of listDir(tree, p)) apply(tree, posix.join(p, child))
      }
      apply(run.tree, at)
    })
  }
}

function exists(tree: Tree, path: string): boolean {
  try {
    return resolve(tree, path, { follow: true }).node !== undefined
  } catch {
    return false
  }
}

/** A numeric id, or a name looked up in the tree's passwd or group file. */
function id(tree: Tree, file: string, name: string | number): number {
  if (typeof name === 'number' || /^\d+$/.test(name)) return Number(name)
  if (!exists(tree, file)) throw fsError('ENOENT', file, `needed to look up ${name}`)
  const line = readFile(tree, file).toString('utf8').split('\n').find((l) => l.split(':')[0] === name)
  if (!line) throw new Error(`invalid user or group: '${name}'`)
  return Number(line.split(':')[2])
}
