import type { Check } from '../config/checks.ts'
import { embeddedImages, rootfsKind } from '../config/derive.ts'
import type { QmConfig } from '../config/types.ts'
import type { Format } from './formats.ts'

/**
 * What a config needs that `format` cannot express. Only the manifest format is limited:
 * plain osbuild runs no osbuild-mpp directives and knows no pipeline outside the file.
 */
export function formatProblems(config: QmConfig, format: Format): Check[] {
  if (format !== 'manifest') return []
  const out: Check[] = []
  const no = (pointer: string, message: string, atKey = false) => out.push({ code: 'FORMAT_UNSUPPORTED', message, pointer, atKey })
  const kind = rootfsKind(config)
  if (kind === 'depsolve') {
    no('/rootfs', "the QM's packages need resolving by osbuild-mpp (mpp-depsolve), which plain osbuild cannot do; use --format mpp, or give a buildable rootfs: rpms (url + sha256 each) or tarball (source_path, or url + sha256)")
  }
  if (kind === 'pipeline') no('/rootfs/pipeline', 'names a pipeline of another manifest; use --format mpp or stages, or give rootfs rpms or tarball', true)
  if (config.build_pipeline) no('/build_pipeline', 'names a pipeline of another manifest; the manifest format builds QM on the host', true)
  const sources = [
    ['/container/seccomp_source', config.container.seccomp_source],
    ['/selinux/module', config.selinux.module],
    ['/selinux/interface', config.selinux.interface],
  ] as const
  for (const [pointer, source] of sources) {
    if (source?.pipeline) no(`${pointer}/pipeline`, 'names a pipeline of another manifest; use --format mpp or stages, or give source_path or url + sha256', true)
  }
  for (const { image, pointer } of embeddedImages(config)) {
    if (!image.image_id || !image.digest) {
      no(pointer, `${image.source} needs image_id and digest to be pinned without osbuild-mpp (mpp-resolve-images); add them, or use --format mpp`)
    }
  }
  return out
}
