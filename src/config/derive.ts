// Facts derived from a loaded config, asked by checks, the planner and the format checks alike.
import type { ContainerImage, Nested, QmConfig } from './types.ts'

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

/**
 * The controller's Unix socket QM's agent reaches, and the directory shared with QM for it:
 * the directory, not the socket, so a socket the controller re-creates is still the one QM
 * sees, and the mount source can exist before the controller runs.
 */
export function bluechiSocket({ bluechi: { enabled, controller } }: QmConfig): { socket: string; dir: string } | undefined {
  if (!enabled || controller.host) return undefined
  const socket = controller.address.replace(/^unix:path=/, '')
  return { socket, dir: socket.slice(0, socket.lastIndexOf('/')) || '/' }
}

/** podman's name for a nested container: a raw ContainerName, else container_name, else the Quadlet's name. */
export const nestedContainerName = (n: Nested): string => String(n.container.ContainerName ?? n.container_name ?? n.name)

/** The SELinux policy when the config names none (and, in the mpp format, the importing manifest neither). */
export const DEFAULT_POLICY = 'targeted'

/** The policy the config decides: its own, or the default. */
export const policyName = (config: QmConfig): string => config.policy ?? DEFAULT_POLICY
