import { mkdirStage } from '../src/manifest/fragment.ts'
import { treeInput } from '../src/manifest/inline.ts'
import type { Fragment } from '../src/manifest/types.ts'
import { QM } from '../src/qm/paths.ts'

/**
 * The QM tree on the host: the whole tree as the read-only rootfs, its /etc and /var as
 * the writable seeds /etc/qm and /var/qm that qm.container mounts over them, and
 * /var/qm/tmp, QM's disk-backed /var/tmp (sticky and world-writable, like any /var/tmp).
 */
export function generate({ pipeline }: { pipeline: string }): Fragment {
  return {
    stages: [
      mkdirStage([QM.rootfs, QM.etc, QM.varTmp]),
      {
        type: 'org.osbuild.copy',
        inputs: { qm: treeInput(pipeline) },
        options: {
          paths: [
            { from: 'input://qm/', to: `tree://${QM.rootfs}/` },
            { from: 'input://qm/etc/', to: `tree://${QM.etc}/` },
            { from: 'input://qm/var/', to: `tree://${QM.var}/` },
          ],
        },
      },
      { type: 'org.osbuild.chmod', options: { items: { [QM.varTmp]: { mode: '1777' } } } },
    ],
    sources: {},
  }
}
