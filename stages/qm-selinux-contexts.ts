import { placeFiles } from '../src/manifest/files.ts'
import type { Fragment } from '../src/manifest/types.ts'
import { IN_QM } from '../src/qm/paths.ts'
import { containerContextsText, fileContextsText, qmTreeFileContexts } from '../src/qm/labels.ts'

/**
 * SELinux inside QM: nested containers run as qm_container_t (container-selinux contexts), and
 * QM's own file_contexts replaces the policy package's.
 *
 * Replaces it as libselinux reads it: of file_contexts and file_contexts.bin the newer wins (the
 * .bin on a tie), and osbuild's copy keeps a source's old mtime while the policy's .bin is
 * compiled during the rpm stage, so a stale .bin would win. The .bin gets the same text (libselinux
 * reads a .bin without the compiled magic as text), and the homedirs and local files, whose entries
 * libselinux adds on top, are emptied: the directory reads as QM's file_contexts alone, as
 * automotive-image-builder's emptying of it before the copy leaves it.
 */
export function generate({ policy }: { policy: string }): Fragment {
  const fc = IN_QM.fileContexts(policy)
  const text = fileContextsText(qmTreeFileContexts())
  return placeFiles([
    { path: IN_QM.selinuxContainerContexts, content: containerContextsText() },
    { path: fc, content: text },
    { path: `${fc}.bin`, content: text },
    ...['homedirs', 'homedirs.bin', 'local', 'local.bin'].map((suffix) => ({ path: `${fc}.${suffix}`, content: '' })),
  ])
}
