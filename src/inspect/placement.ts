import { QM } from '../qm/paths.ts'
import type { PathState, Report } from './report.ts'
import { tmpfilesFor } from './tmpfiles.ts'
import type { TreeView } from './view.ts'

/** Where QM's trees are, and whether the rootfs holds an OS that can run as QM (init, systemd, podman). */
export function placementModel(host: TreeView, qm: TreeView): Report['placement'] {
  // the entry itself, not what a link leads to: a linked-away /var/qm is worth seeing
  const state = (path: string): PathState => {
    const e = host.index.entries.get(path)
    const label = host.index.entries.get(path)?.xattrs?.['security.selinux']
    return e
      ? { path, present: true, type: e.type, mode: e.mode.toString(8).padStart(4, '0'), ...(label ? { label: label.replace(/\0+$/, '') } : {}) }
      : { path, present: false }
  }
  const found = (...paths: string[]) => {
    const path = paths.find((p) => qm.entry(p)?.type === 'file')
    return path === undefined ? {} : { path: qm.where(path) }
  }
  const init = found('/sbin/init', '/usr/sbin/init').path
  const systemd = found('/usr/lib/systemd/systemd').path
  const podman = found('/usr/bin/podman').path
  const varFiles = [...host.index.entries.values()].filter((e) => e.type === 'file' && e.path.startsWith(`${QM.var}/`)).map((e) => e.path).sort()
  return {
    rootfs: state(QM.rootfs),
    etc: state(QM.etc),
    var: state(QM.var),
    varTmp: state(QM.varTmp),
    varFiles,
    tmpfiles: [...tmpfilesFor(host, [QM.var, QM.varTmp]).values()],
    ...(init ? { init } : {}),
    ...(systemd ? { systemd } : {}),
    ...(podman ? { podman } : {}),
  }
}
