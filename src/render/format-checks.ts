import type { Check } from '../config/messages.ts'
import { embeddedImages, rootfsKind } from '../config/derive.ts'
import type { QmConfig } from '../config/types.ts'
import { AIB } from './aib.ts'
import { HOST_PIPELINE, type Format } from './formats.ts'
import { aibBasePackages } from './plan.ts'

/**
 * What a config needs that `format` cannot express. Only the manifest format is limited:
 * plain osbuild runs no osbuild-mpp directives and knows no pipeline outside the file.
 */
export function formatProblems(config: QmConfig, format: Format): Check[] {
  if (format === 'aib') return aibProblems(config)
  const out: Check[] = []
  const no = (pointer: string, message: string, atKey = false) => out.push({ code: 'FORMAT_UNSUPPORTED', message, pointer, atKey })
  // what only automotive-image-builder's own pipelines do
  const aibOnly: [string, unknown, string][] = [
    ['/content/remove_files', config.content.remove_files.length > 0, "removing files needs automotive-image-builder's lorax templates, which plain osbuild lacks"],
    ['/content/sbom', config.content.sbom, "an SPDX SBOM is made by automotive-image-builder's org.osbuild.dnf4.sbom.spdx from its depsolve"],
    ['/container_checksum', config.container_checksum, "the boot-time digest check is automotive-image-builder's auto-boot-check"],
  ]
  for (const [pointer, present, why] of aibOnly) {
    if (present) no(pointer, `${why}; use --format aib, which passes it to automotive-image-builder (or leave it out)`, true)
  }
  if (format !== 'manifest') return out
  const kind = rootfsKind(config)
  if (kind === 'depsolve') {
    no('/rootfs', "the QM's packages need resolving by osbuild-mpp (mpp-depsolve), which plain osbuild cannot do; use --format mpp, or give a buildable rootfs: rpms (url + sha256 each) or tarball (source_path, or url + sha256)")
  }
  if (kind === 'pipeline') no('/rootfs/pipeline', 'names a pipeline of another manifest; use --format mpp or stages, or give rootfs rpms or tarball', true)
  // the manifest holds the QM pipeline and the host overlay: two pipelines of one name are no manifest
  if (config.pipeline === HOST_PIPELINE) out.push({ code: 'CONFLICT', message: `${HOST_PIPELINE} is the host overlay pipeline the manifest format adds: name the QM pipeline otherwise`, pointer: '/pipeline' })
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
    } else if (image.index) {
      no(`${pointer}/index`, 'the manifest list is found by osbuild-mpp (mpp-resolve-images); use --format mpp', true)
    }
  }
  return out
}

/**
 * What automotive-image-builder cannot be told in its manifest: it always builds the QM's
 * OS from packages with its fixed base set, installs the qm rpm, labels QM's trees and
 * writes storage.conf and the host's id ranges itself.
 */
function aibProblems(config: QmConfig): Check[] {
  const out: Check[] = []
  const no = (pointer: string, message: string, atKey = true) => out.push({ code: 'FORMAT_UNSUPPORTED', message, pointer, atKey })
  const r = config.rootfs
  const kind = rootfsKind(config)
  if (kind !== 'depsolve') no(`/rootfs/${kind}`, "automotive-image-builder builds the QM's OS from packages; use rpms (content.rpms) with --format aib, or another format for this rootfs")
  if (r.base_packages) {
    const missing = aibBasePackages(config).filter((p) => !r.base_packages!.includes(p))
    if (missing.length > 0) no('/rootfs/base_packages', `automotive-image-builder always installs ${missing.join(', ')} into QM; add them, or use another format`)
  }
  if (r.exclude_packages.length > 0) no('/rootfs/exclude_packages', 'automotive-image-builder has no way to exclude packages from QM')
  const own: [keyof typeof r, unknown][] = [['repos_from', ['distro_repos', 'image_repos', 'extra_repos']], ['architecture', '$arch'], ['module_platform_id', '$distro_module_id'], ['releasever', undefined], ['gpgkeys', []]]
  for (const [key, value] of own) {
    if (JSON.stringify(r[key]) !== JSON.stringify(value)) no(`/rootfs/${key}`, `automotive-image-builder resolves QM's packages with its own ${key === 'repos_from' ? 'distro, image and extra repos' : 'distro settings'}; leave ${key} out`)
  }
  if (config.host_files === 'plugin') no('/host_files', 'automotive-image-builder installs the qm rpm, which provides qm.container and the SELinux module; leave host_files out')
  if (config.container.seccomp_source?.pipeline) no('/container/seccomp_source/pipeline', "automotive-image-builder's add_files takes a file beside the manifest or a url, not a pipeline's file; give source_path or url + sha256")
  if (!config.selinux.label) no('/selinux/label', "automotive-image-builder labels QM's trees itself")
  const storage = config.storage_conf
  if (storage.path !== '/usr/share/containers/storage.conf' || !storage.transient_store) {
    no('/storage_conf', "automotive-image-builder writes QM's storage.conf itself (/usr/share/containers/storage.conf, transient_store = true); leave storage_conf out")
  }
  const hostIds = config.subids.host
  if (JSON.stringify(hostIds.slice(0, AIB.hostSubids.length)) !== JSON.stringify(AIB.hostSubids)) {
    no('/subids/host', `automotive-image-builder writes the host's ${AIB.hostSubids.join(', ')} itself, after the manifest's content; keep those two lines first (more lines are passed on)`)
  }
  for (const { image, pointer } of embeddedImages(config)) {
    if (image.image_id !== undefined) no(`${pointer}/image_id`, 'automotive-image-builder resolves the image id itself; leave image_id out (digest pins the image)')
  }
  return out
}
