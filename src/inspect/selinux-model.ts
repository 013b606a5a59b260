import { QM } from '../qm/paths.ts'
import type { Report } from './report.ts'
import type { TreeView } from './view.ts'

const LABELLED = [QM.dir, QM.rootfs, QM.etc, QM.var, QM.varTmp]

/** The SELinux side of QM on the host: the module, the policy's contexts for QM's trees, the labels a tar carries. */
export function selinuxModel(host: TreeView): Report['selinux'] {
  const policy = /^SELINUXTYPE=(\S+)/m.exec(host.text('/etc/selinux/config') ?? '')?.[1]
  const stores = [...new Set([policy ?? 'targeted', ...(host.list('/etc/selinux') ?? [])])].flatMap((p) => [
    `/etc/selinux/${p}/active/modules`,
    `/var/lib/selinux/${p}/active/modules`,
  ])
  const moduleStore = stores.flatMap((s) => (host.list(s) ?? []).map((priority) => `${s}/${priority}/qm`)).find((p) => host.exists(p))
  const fcFile = `/etc/selinux/${policy ?? 'targeted'}/contexts/files/file_contexts`
  const entries = (host.text(fcFile) ?? '').split('\n').filter((l) => /^\/(usr\/lib\/qm|etc\/qm|var\/qm)[/(]/.test(l))
  const labels = LABELLED.flatMap((path) => {
    const label = host.index.entries.get(path)?.xattrs?.['security.selinux']
    return label === undefined ? [] : [{ path, label: label.replace(/\0+$/, '') }]
  })
  return {
    ...(policy ? { policy } : {}),
    ...(host.exists(QM.selinuxModule) ? { modulePackage: QM.selinuxModule } : {}),
    ...(moduleStore ? { moduleStore } : {}),
    fileContexts: { ...(host.exists(fcFile) ? { file: fcFile } : {}), entries },
    labels,
  }
}
