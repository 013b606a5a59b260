import { placeFiles } from '../src/manifest/files.ts'
import type { Fragment } from '../src/manifest/types.ts'
import { IN_QM } from '../src/qm/paths.ts'
import { containerContextsText, fileContextsText, qmTreeFileContexts } from '../src/qm/labels.ts'

/**
 * SELinux inside QM: nested containers run as qm_container_t (container-selinux
 * contexts), and QM's own file_contexts replaces the policy package's.
 */
export function generate({ policy }: { policy: string }): Fragment {
  return placeFiles([
    { path: IN_QM.selinuxContainerContexts, content: containerContextsText() },
    { path: IN_QM.fileContexts(policy), content: fileContextsText(qmTreeFileContexts()) },
  ])
}
