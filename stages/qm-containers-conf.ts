import { placeFiles } from '../src/manifest/files.ts'
import type { Fragment } from '../src/manifest/types.ts'
import { containersConfText, type ContainersConfSettings } from '../src/qm/containers-conf.ts'
import { IN_QM } from '../src/qm/paths.ts'

/** containers.conf for podman inside QM (on the host: /etc/qm/containers/containers.conf). */
export function generate(options: ContainersConfSettings): Fragment {
  return placeFiles([{ path: IN_QM.containersConf, content: containersConfText(options) }])
}
