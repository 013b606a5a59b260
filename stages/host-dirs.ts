import { placeFiles, type FileSpec } from '../src/manifest/files.ts'
import type { Fragment } from '../src/manifest/types.ts'
import { QM } from '../src/qm/paths.ts'

export interface HostDir {
  path: string
  mode: string
  user: string
  group: string
}

/**
 * Host directories QM's volumes bind-mount, made by systemd-tmpfiles at boot: /run is
 * empty at every boot and /var is not deployed from an image-mode image, so a directory
 * placed there at build time would be missing when qm.service starts.
 */
export function files({ dirs }: { dirs: readonly HostDir[] }): FileSpec[] {
  if (dirs.length === 0) return []
  const lines = dirs.map((d) => `d ${d.path} ${d.mode} ${d.user} ${d.group} -`)
  const content = ["# Host directories QM's volumes need at boot, written by qm-stage.", ...lines, ''].join('\n')
  return [{ path: QM.volumeTmpfiles, content }]
}

export const generate = (o: { dirs: readonly HostDir[] }): Fragment => placeFiles(files(o))
