import { QM } from '../qm/paths.ts'
import type { TreeIndex } from '../archive/types.ts'
import { viewOf, type TreeView } from './view.ts'

/** `path` is `dir` or below it (called for every path a model asks about: no string is built) */
const under = (path: string, dir: string) => path.startsWith(dir) && (path.length === dir.length || path.charCodeAt(dir.length) === 0x2f)

/** The host's view, and QM's: its root is the rootfs, with /etc/qm and /var/qm mounted on /etc and /var. */
export function namespaces(index: TreeIndex): { host: TreeView; qm: TreeView } {
  const qmMount = (path: string) => {
    if (under(path, '/etc')) return QM.etc + path.slice('/etc'.length)
    if (under(path, '/var')) return QM.var + path.slice('/var'.length)
    return path === '/' ? QM.rootfs : QM.rootfs + path
  }
  return { host: viewOf(index), qm: viewOf(index, qmMount) }
}
