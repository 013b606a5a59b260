// Whether a bind mount of a nested container (inside QM) sees what the author expects:
// the host's file. QM only has the host's files that qm.container mounts into it; under
// /run and /tmp QM has its own, empty tmpfs, and elsewhere only what QM's own tree holds.

/** Kernel file systems podman gives every container; a nested mount from there is QM's own view of the kernel. */
const KERNEL_TREES = ['/dev', '/proc', '/sys']
/** Fresh tmpfs inside QM at every start: the QM tree's copy, if any, is never seen. */
const QM_TMPFS_TREES = ['/run', '/tmp', '/var/run']

const under = (path: string, tree: string) => path === tree || path.startsWith(`${tree.replace(/\/$/, '')}/`)

/** The host side of a bind-mount Volume= (SOURCE:DEST[:OPTIONS]), or undefined for a named volume. */
export function bindSource(volume: string): string | undefined {
  const source = volume.split(':')[0]!
  return source.startsWith('/') ? source.replace(/\/+$/, '') || '/' : undefined
}

/** The container side of a Volume= entry. */
export const volumeTarget = (volume: string): string => (volume.split(':')[1] ?? '').replace(/\/+$/, '') || '/'

/**
 * Why `source`, bind-mounted by a nested container, is not a host path QM has, or
 * undefined when it is: it is under one of qm.container's volume targets (`targets`), a
 * kernel file system, or (outside QM's tmpfs trees) a path QM's own tree has (`inTree`).
 */
export function notFromHost(source: string, targets: readonly string[], inTree: (path: string) => boolean): string | undefined {
  if (targets.some((t) => under(source, t))) return undefined
  if (KERNEL_TREES.some((t) => under(source, t))) return undefined
  const tmpfs = QM_TMPFS_TREES.find((t) => under(source, t))
  if (tmpfs) return `${source} is under ${tmpfs}, a tmpfs of QM's own: no qm.container volume brings the host's ${source} into QM, so the nested container gets an empty or missing path`
  if (inTree(source)) return undefined
  return `${source} is neither in QM's own tree nor brought in by a qm.container volume, so the nested container cannot mount the host's ${source}`
}
