import { placeFiles, type FileSpec, type Origin } from '../src/manifest/files.ts'
import type { Fragment } from '../src/manifest/types.ts'

export interface Options {
  /** where qm.container's SeccompProfile= (the drop-in's) points: a .json file under /usr/share/qm/ */
  path: string
  origin: Origin
}

/**
 * A seccomp profile qm-stage writes from container.seccomp_source, whoever provides qm.container
 * (the qm rpm or qm-stage): podman reads it on the host when qm.service starts. Under /usr, so an
 * image-mode host gets it with the image.
 */
export const files = ({ path, origin }: Options): FileSpec[] => [{ path, ...origin }]

export const generate = (o: Options): Fragment => placeFiles(files(o))
