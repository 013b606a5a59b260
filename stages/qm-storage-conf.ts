import { posix } from 'node:path'
import { mkdirStage } from '../src/manifest/fragment.ts'
import type { Fragment, Json } from '../src/manifest/types.ts'

export interface Options {
  path: '/usr/share/containers/storage.conf' | '/etc/containers/storage.conf'
  transientStore: boolean
  /** the read-only store embedded images are in, when there are any */
  imageStore?: string
}

/**
 * containers-storage settings for podman inside QM, merged into the OS's storage.conf.
 * The embedded image store is listed only when images are embedded: podman fails on a
 * store that does not exist.
 */
export function generate({ path, transientStore, imageStore }: Options): Fragment {
  const storage: Record<string, Json> = { transient_store: transientStore }
  if (imageStore) storage.options = { additionalimagestores: [imageStore] }
  return {
    stages: [
      mkdirStage([posix.dirname(path)]),
      { type: 'org.osbuild.containers.storage.conf', options: { filename: path, config: { storage } } },
    ],
    sources: {},
  }
}
