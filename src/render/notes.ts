// Render-time notes: things that build fine but will not work the way the config reads.
import type { QmConfig } from '../config/types.ts'
import { bindSource, notFromHost, volumeTarget } from '../qm/nested-mounts.ts'
import { UPSTREAM_QM_CONTAINER } from '../qm/qm-container.ts'
import { bluechiSocket } from '../config/derive.ts'

/** Where QM's own tree has content at build time: its OS, and the /etc and /var seeds. */
const QM_TREE = ['/usr', '/etc', '/var', '/opt']

/** A nested container bind-mounting a path QM does not get from the host (such as a host socket under /run). */
export function nestedMountNotes(config: QmConfig): string[] {
  const upstream = UPSTREAM_QM_CONTAINER.flatMap((s) => (s.name === 'Container' ? s.entries : []))
    .filter(([k]) => k === 'Volume')
    .map(([, v]) => v)
  const socket = bluechiSocket(config)?.dir
  const targets = [...upstream, ...config.container.volumes, ...(socket ? [`${socket}:${socket}`] : [])].map(volumeTarget)
  const inTree = (p: string) => QM_TREE.some((t) => p === t || p.startsWith(`${t}/`))
  return config.nested.flatMap((n) =>
    n.volumes.flatMap((v) => {
      const source = bindSource(v)
      const why = source && notFromHost(source, targets, inTree)
      return why ? [`nested ${n.name}: Volume=${v}: ${why}; to share a host socket, bring it into QM with container.volumes (host-QM IPC belongs under /run/ipc: "/run/ipc/NAME:${source}") and container.host_dirs`] : []
    }),
  )
}
