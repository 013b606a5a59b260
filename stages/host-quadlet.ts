import { mkdirStage, parallel } from '../src/manifest/fragment.ts'
import { placeFiles } from '../src/manifest/files.ts'
import type { Fragment } from '../src/manifest/types.ts'
import { containersConfText, type ContainersConfSettings } from '../src/qm/containers-conf.ts'
import { QM } from '../src/qm/paths.ts'
import { UPSTREAM_QM_CONTAINER } from '../src/qm/qm-container.ts'
import { containerContextsText, fileContextsText, qmTreeFileContexts } from '../src/qm/labels.ts'
import { writeUnit } from '../src/units/write.ts'

export interface Options {
  /** upstream's containers.conf values, as the qm rpm ships them in /usr/share/qm */
  containersConf: ContainersConfSettings
}

/**
 * What the qm rpm installs on the host, for hosts without it (host_files: plugin):
 * qm.container, /usr/share/qm's data files and the admin drop-in directory. The seccomp
 * profile qm.container names comes from container.seccomp_source (stages/host-seccomp.ts).
 */
export function generate({ containersConf }: Options): Fragment {
  const quadlet = writeUnit(UPSTREAM_QM_CONTAINER, { comment: ['The QM partition (containers/qm), written by qm-stage. Change it with drop-ins in qm.container.d/.'] })
  return parallel(
    placeFiles([
      { path: QM.quadlet, content: quadlet },
      { path: `${QM.shareDir}/containers.conf`, content: containersConfText(containersConf) },
      { path: `${QM.shareDir}/contexts`, content: containerContextsText() },
      { path: `${QM.shareDir}/file_contexts`, content: fileContextsText(qmTreeFileContexts()) },
    ]),
    { stages: [mkdirStage([QM.adminDropinDir])], sources: {} },
  )
}
