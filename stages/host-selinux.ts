import { filesInput, inlineSource } from '../src/manifest/inline.ts'
import { placeFiles, type Origin } from '../src/manifest/files.ts'
import { sequence } from '../src/manifest/fragment.ts'
import type { Fragment, Stage } from '../src/manifest/types.ts'
import { QM } from '../src/qm/paths.ts'
import { fileContextsText, HOST_FILE_CONTEXTS } from '../src/qm/labels.ts'

export interface Options {
  /** qm.pp.bz2 and qm.if, when qm-stage installs QM's host files itself */
  module?: Origin
  interface?: Origin
  /** label /usr/lib/qm, /etc/qm and /var/qm with the qm module's file contexts */
  label: boolean
  /** whether the tree has /var/qm (image mode: tmpfiles.d creates it at boot, labelled by the policy) */
  labelVar: boolean
}

/**
 * QM's SELinux policy files and build-time labels. Labelling uses the qm module's own
 * file contexts, so it works whether or not the image's policy store has the module yet.
 */
export function generate({ module, interface: iface, label, labelVar }: Options): Fragment {
  const files = placeFiles([
    ...(module ? [{ path: QM.selinuxModule, ...module }] : []),
    ...(iface ? [{ path: QM.selinuxInterface, ...iface }] : []),
  ])
  if (!label) return files
  const fc = inlineSource(fileContextsText(HOST_FILE_CONTEXTS))
  const relabel = (target: string): Stage => ({
    type: 'org.osbuild.selinux',
    inputs: { 'file-contexts': filesInput([fc.ref]) },
    options: { file_contexts: `input://file-contexts/${fc.ref}`, target: `tree://${target}` },
  })
  return sequence(files, { stages: [QM.dir, QM.etc, ...(labelVar ? [QM.var] : [])].map(relabel), sources: fc.sources })
}
