import type { ContainersConf } from '../src/config/types.ts'
import { placeFiles } from '../src/manifest/files.ts'
import type { Fragment } from '../src/manifest/types.ts'
import { containersConfText } from '../src/qm/containers-conf.ts'
import { IN_QM } from '../src/qm/paths.ts'

/** containers.conf for podman inside QM (on the host: /etc/qm/containers/containers.conf). */
export function generate(options: ContainersConf): Fragment {
  return placeFiles([{ path: IN_QM.containersConf, content: containersConfText(options) }])
}
