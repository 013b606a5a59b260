import { mkdirStage } from '../src/manifest/fragment.ts'
import { treeInput } from '../src/manifest/inline.ts'
import type { Fragment } from '../src/manifest/types.ts'
import { QM } from '../src/qm/paths.ts'

/**
 * The QM tree on the host: the whole tree as the read-only rootfs, its /etc as the writable
 * seed /etc/qm that qm.container mounts over QM's /etc, and its /var for /var/qm.
 *
 * A package-mode host gets /var/qm itself, with /var/qm/tmp, QM's disk-backed /var/tmp (sticky
 * and world-writable, like any /var/tmp). An image-mode (OSTree, bootc) host never receives a
 * commit's /var after the first deployment, and osbuild's ostree.preptree drops its files: there
 * QM's /var goes to the read-only seed under /usr, which the host's tmpfiles.d copies to /var/qm
 * at boot, and nothing is placed under /var.
 */
export function generate({ pipeline, imageMode }: { pipeline: string; imageMode: boolean }): Fragment {
  const varTo = imageMode ? QM.varSeed : QM.var
  return {
    stages: [
      mkdirStage([QM.rootfs, QM.etc, imageMode ? varTo : QM.varTmp]),
      {
        type: 'org.osbuild.copy',
        inputs: { qm: treeInput(pipeline) },
        options: {
          paths: [
            { from: 'input://qm/', to: `tree://${QM.rootfs}/` },
            { from: 'input://qm/etc/', to: `tree://${QM.etc}/` },
            { from: 'input://qm/var/', to: `tree://${varTo}/` },
          ],
        },
      },
      ...(imageMode ? [] : [{ type: 'org.osbuild.chmod', options: { items: { [QM.varTmp]: { mode: '1777' } } } }]),
    ],
    sources: {},
  }
}
