import { placeFiles, type FileSpec } from '../src/manifest/files.ts'
import type { Fragment } from '../src/manifest/types.ts'
import { containersConfText, type ContainersConfSettings } from '../src/qm/containers-conf.ts'
import { IN_QM } from '../src/qm/paths.ts'

/** containers.conf for podman inside QM (on the host: /etc/qm/containers/containers.conf). */
export const files = (options: ContainersConfSettings): FileSpec[] => [{ path: IN_QM.containersConf, content: containersConfText(options) }]

export const generate = (options: ContainersConfSettings): Fragment => placeFiles(files(options))
