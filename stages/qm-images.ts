import type { Fragment, Input, Json } from '../src/manifest/types.ts'

export interface Image {
  source: string
  tag?: string
  /** manifest digest the image is pinned to */
  digest?: string
  /** config digest: with digest, the image needs no resolving */
  imageId?: string
  /** name in QM's storage */
  name: string
  transport?: 'docker' | 'containers-storage'
  /** also install the image's manifest list (resolved by osbuild-mpp) */
  index?: boolean
}

/**
 * Container images copied into QM's read-only store with skopeo. Images with a known
 * image id and digest are pinned directly; the others are resolved by osbuild-mpp
 * (mpp-resolve-images), which also pins them by digest.
 */
export function generate({ images, store }: { images: readonly Image[]; store: string }): Fragment {
  if (images.length === 0) return { stages: [], sources: {} }
  const pinned = images.filter((i) => i.imageId && i.digest)
  const resolve = images.filter((i) => !(i.imageId && i.digest))
  const references = Object.fromEntries(pinned.map((i) => [i.imageId!, { name: i.name }]))
  const items = Object.fromEntries(
    pinned.map((i) => {
      const image: Record<string, Json> = { name: i.source, digest: i.digest! }
      if (i.transport) image['containers-transport'] = i.transport
      return [i.imageId!, { image }]
    }),
  )
  const input: Input = { type: 'org.osbuild.containers', origin: 'org.osbuild.source', references }
  if (resolve.length > 0) {
    input['mpp-resolve-images'] = {
      images: resolve.map((i) => {
        const request: Record<string, Json> = { source: i.source, name: i.name }
        if (i.tag) request.tag = i.tag
        if (i.digest) request.digest = i.digest
        if (i.transport) request['containers-transport'] = i.transport
        if (i.index) request.index = true
        return request
      }),
    }
  }
  return {
    stages: [
      {
        type: 'org.osbuild.skopeo',
        inputs: { images: input },
        options: { destination: { type: 'containers-storage', 'storage-path': store } },
      },
    ],
    sources: pinned.length > 0 ? { 'org.osbuild.skopeo': { items } } : {},
  }
}
