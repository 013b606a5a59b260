import { QM } from './paths.ts'

/** One file_contexts line: path regex, optional file type (`--` regular file), context. */
export interface FileContext {
  regex: string
  fileType?: string
  context: string
}

const ctx = (type: string) => `system_u:object_r:${type}:s0`
const OVERLAY_DIRS = ['overlay', 'overlay2', 'overlay-layers', 'overlay2-layers', 'overlay-images', 'overlay2-images']

/** The qm policy module's host file contexts (qm.fc of containers/qm 1.0), compiled form. */
export const HOST_FILE_CONTEXTS: readonly FileContext[] = [
  { regex: `${QM.dir}(/.*)?`, context: ctx('qm_file_t') },
  { regex: `${QM.rootfs}/var/lib/containers(/.*)?`, context: ctx('qm_container_var_lib_t') },
  ...OVERLAY_DIRS.map((d) => ({ regex: `${QM.rootfs}/var/lib/containers/storage/${d}(/.*)?`, context: ctx('qm_container_ro_file_t') })),
  { regex: `${QM.var}(/.*)?`, context: ctx('qm_file_t') },
  { regex: `${QM.etc}(/.*)?`, context: ctx('qm_file_t') },
  { regex: `${QM.rootfs}/run/ipc(/.*)?`, context: ctx('ipc_var_run_t') },
  { regex: '/run/ipc(/.*)?', context: ctx('ipc_var_run_t') },
  { regex: `${QM.rootfs}/usr/libexec/bluechi-agent`, fileType: '--', context: ctx('qm_bluechi_agent_exec_t') },
]

/**
 * The file_contexts QM's own SELinux tooling sees inside the QM tree: the host entries
 * with the rootfs prefix taken off (as the qm Makefile derives it), duplicates dropped.
 */
export function qmTreeFileContexts(): FileContext[] {
  const seen = new Set<string>()
  const out: FileContext[] = []
  for (const fc of HOST_FILE_CONTEXTS) {
    const regex = fc.regex.replace(QM.rootfs, '').replace(QM.dir, '')
    const key = `${regex}\t${fc.fileType ?? ''}`
    if (!seen.has(key)) seen.add(key), out.push({ ...fc, regex })
  }
  return out
}

export function fileContextsText(entries: readonly FileContext[]): string {
  return entries.map((e) => [e.regex, ...(e.fileType ? [e.fileType] : []), e.context].join('\t')).join('\n') + '\n'
}

/** container-selinux contexts for nested containers (QM's qm_contexts). */
export function containerContextsText(): string {
  const process = (type: string) => `system_u:system_r:${type}:s0`
  return [
    `process = "${process('qm_container_t')}"`,
    `file = "${ctx('qm_container_file_t')}"`,
    `ro_file = "${ctx('qm_container_ro_file_t')}"`,
    `kvm_process = "${process('qm_container_kvm_t')}"`,
    `init_process = "${process('qm_container_init_t')}"`,
  ].join('\n') + '\n'
}
