// Facts derived from a loaded config, asked by checks, the planner and the format checks alike.
import type { ContainerImage, QmConfig } from './types.ts'

/** Where the QM's operating system comes from. */
export type RootfsKind = 'depsolve' | 'rpms' | 'tarball' | 'pipeline'

export function rootfsKind({ rootfs }: QmConfig): RootfsKind {
  if (rootfs.rpms) return 'rpms'
  if (rootfs.tarball) return 'tarball'
  if (rootfs.pipeline) return 'pipeline'
  return 'depsolve'
}

/** Images from container_images and content.container_images (automotive-image-builder's place). */
export const embeddedImages = (config: QmConfig): { image: ContainerImage; pointer: string }[] => [
  ...config.container_images.map((image, i) => ({ image, pointer: `/container_images/${i}` })),
  ...config.content.container_images.map((image, i) => ({ image, pointer: `/content/container_images/${i}` })),
]

/** The name an embedded image has in QM's storage. */
export const imageName = (image: ContainerImage) => image.name ?? `${image.source}:${image.tag ?? 'latest'}`

/** podman's view of a reference: no tag and no digest means :latest. */
export function normaliseImageRef(ref: string): string {
  if (ref.includes('@')) return ref
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1)
  return lastPart.includes(':') ? ref : `${ref}:latest`
}

/** The effective read_only: package-mode hosts are writable, as automotive-image-builder does it. */
export const readOnly = (config: QmConfig) => config.container.read_only ?? config.mode === 'image'
