import { bluechiSocket, DEFAULT_POLICY, embeddedImages, imageName, policyName, readOnly, rootfsKind } from '../config/derive.ts'
import type { Resolved } from '../config/local-files.ts'
import type { QmConfig } from '../config/types.ts'
import { IN_QM, QM } from '../qm/paths.ts'
import { UPSTREAM_CONTAINERS_CONF } from '../qm/containers-conf.ts'
import { parallel, sequence } from '../manifest/fragment.ts'
import type { Fragment, Json, Pipeline, Sources, Stage } from '../manifest/types.ts'
import * as hostDropins from '../../stages/host-dropins.ts'
import * as hostOom from '../../stages/host-oom.ts'
import * as hostPlacement from '../../stages/host-placement.ts'
import * as hostQuadlet from '../../stages/host-quadlet.ts'
import * as hostSeccomp from '../../stages/host-seccomp.ts'
import * as hostSelinux from '../../stages/host-selinux.ts'
import * as hostTmpfiles from '../../stages/host-tmpfiles.ts'
import * as qmBluechi from '../../stages/qm-bluechi.ts'
import * as qmContainersConf from '../../stages/qm-containers-conf.ts'
import * as qmContent from '../../stages/qm-content.ts'
import * as qmImages from '../../stages/qm-images.ts'
import * as qmNested from '../../stages/qm-nested.ts'
import * as qmOs from '../../stages/qm-os.ts'
import * as qmSelinuxContexts from '../../stages/qm-selinux-contexts.ts'
import * as qmStorageConf from '../../stages/qm-storage-conf.ts'
import * as qmSystemd from '../../stages/qm-systemd.ts'
import * as subids from '../../stages/subids.ts'

/** Everything render emits, before it is shaped into an output format. */
export interface Plan {
  /** the QM pipeline(s), in order */
  pipelines: Pipeline[]
  /**
   * stages to put first in the host tree's pipeline, before its OS and users stages: osbuild
   * cannot append to a file, so /etc/subuid and /etc/subgid are written before anything adds
   * lines to them (useradd appends its users' ranges; rpm keeps an existing %config(noreplace))
   */
  hostFirstStages: Stage[]
  /** stages to append to the host tree's pipeline */
  hostStages: Stage[]
  sources: Sources
}

/** automotive-image-builder's fixed package set of every QM tree. */
export const aibBasePackages = (config: QmConfig, policy = policyName(config)): string[] => ['systemd', 'podman', 'fuse-overlayfs', `selinux-policy-${policy}`, 'procps-ng']

/** The base packages of a QM tree (automotive-image-builder's set), plus the BlueChi agent when it is on. */
function basePackages(config: QmConfig, policy: string): string[] {
  const base = aibBasePackages(config, policy)
  return config.bluechi.enabled ? [...base, 'bluechi-agent'] : base
}

/**
 * content.enable_repos as automotive-image-builder resolves it: the distro's debug and
 * devel repos, which its distro files (and so an importing AIB manifest) define as the
 * variables distro_debug_repos and distro_devel_repos.
 */
const distroRepoVars = (config: QmConfig): string[] =>
  config.content.enable_repos.map((r) => `distro_${r}_repos`).filter((v) => !config.rootfs.repos_from.includes(v))

export interface PlanOptions {
  /**
   * The policy is the importing manifest's (mpp format, no policy in the config): every place
   * the name appears takes osbuild-mpp's selinux_policy variable, the default when it is unset.
   */
  policyFromManifest?: boolean
  /** `qmParts(config)`, when the caller has made them already (with policyFromManifest, the policy's part is made anew) */
  parts?: QmPart[]
}

/** Stands for the manifest's policy while planning; replaced by an osbuild-mpp directive at the end. */
const MANIFEST_POLICY = '@selinux_policy@'
const MANIFEST_POLICY_EXPR = `{globals().get('selinux_policy', '${DEFAULT_POLICY}')}`

/** Config and resolved local files in, the stages of both trees out. Pure. */
export function plan(config: QmConfig, resolved: Resolved, options: PlanOptions = {}): Plan {
  const policy = options.policyFromManifest ? MANIFEST_POLICY : policyName(config)
  const parts = options.parts ? (options.policyFromManifest ? forPolicy(options.parts, policy) : options.parts) : qmParts(config, policy)
  const placed = parts.filter((p) => p.placed).map((p) => p.fragment)
  const qmTree = sequence(
    qmOs.generate(osSource(config, resolved, policy)),
    parallel(...placed),
    ...parts.filter((p) => !p.placed).map((p) => p.fragment),
    qmContent.generate({
      makeDirs: [...config.content.make_dirs, ...resolved.emptyGlobDirs.map((path) => ({ path, parents: true, exist_ok: true }))],
      files: resolved.addFiles,
      addSymlinks: config.content.add_symlinks,
      chownFiles: config.content.chown_files,
      chmodFiles: config.content.chmod_files,
    }),
    qmSystemd.generate({
      enabled: [...(config.bluechi.enabled ? ['bluechi-agent.service'] : []), ...config.content.systemd.enabled_services],
      disabled: config.content.systemd.disabled_services,
      masked: config.content.systemd.masked_services,
    }),
  )
  const host = sequence(
    hostPlacement.generate({ pipeline: config.pipeline, imageMode: config.mode === 'image' }),
    config.host_files === 'plugin' ? hostQuadlet.generate({ containersConf: UPSTREAM_CONTAINERS_CONF }) : empty(),
    parallel(
      // with the qm rpm too: a profile the config names and gives the bytes of is written either way
      resolved.seccomp ? hostSeccomp.generate({ path: config.container.seccomp_profile, origin: resolved.seccomp }) : empty(),
      hostDropins.generate(dropinOptions(config)),
      hostOom.generate({ defaultOomScoreAdjust: config.host_oom_score_adjust }),
      hostTmpfiles.generate({ lines: tmpfilesLines(config) }),
    ),
    hostSelinux.generate({
      ...(resolved.module ? { module: resolved.module } : {}),
      ...(resolved.iface ? { interface: resolved.iface } : {}),
      label: config.selinux.label,
      labelVar: config.mode === 'package',
    }),
  )
  const stages = options.policyFromManifest ? (withManifestPolicy(qmTree.stages) as unknown as Stage[]) : qmTree.stages
  const pipeline: Pipeline = { name: config.pipeline, ...(config.build_pipeline ? { build: `name:${config.build_pipeline}` } : {}), stages }
  const hostFirst = subids.generate({ lines: config.subids.host })
  return { pipelines: [pipeline], hostFirstStages: hostFirst.stages, hostStages: host.stages, sources: sequence(qmTree, hostFirst, host).sources }
}

const empty = (): Fragment => ({ stages: [], sources: {} })

/** Every string naming the policy becomes an mpp-format-string of the manifest's selinux_policy (braces escaped). */
function withManifestPolicy(value: Json | object): Json {
  if (typeof value === 'string') {
    return value.includes(MANIFEST_POLICY) ? { 'mpp-format-string': value.replace(/[{}]/g, '$&$&').replaceAll(MANIFEST_POLICY, MANIFEST_POLICY_EXPR) } : value
  }
  if (Array.isArray(value)) return value.map((v) => withManifestPolicy(v as Json))
  if (value === null || typeof value !== 'object') return value as Json
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withManifestPolicy(v as Json)]))
}

/** A part of the QM tree qm-stage generates, with the config key that sets it. */
export interface QmPart {
  /** JSON Pointer of the key that generates it */
  key: string
  fragment: Fragment
  /** plain file placements, folded side by side with the others (the rest run in order after them) */
  placed: boolean
}

/**
 * Everything qm-stage writes into the QM tree from its own keys (the OS and the user's content aside).
 * plan() emits exactly these, so the list of generated paths is read from them and not kept twice.
 */
export function qmParts(config: QmConfig, policy = policyName(config)): QmPart[] {
  const part = (key: string, fragment: Fragment, placed = true): QmPart => ({ key, fragment, placed })
  return [
    part('/containers_conf', qmContainersConf.generate(config.containers_conf)),
    part(POLICY_PART, policyPart(policy)),
    part('/subids/qm', subids.generate({ lines: config.subids.qm })),
    ...(config.bluechi.enabled ? [part('/bluechi', qmBluechi.generate(bluechiOptions(config)))] : []),
    ...config.nested.map((n, i) => part(`/nested/${i}`, qmNested.generate({ nested: [{ ...n, pull: n.pull ?? 'never' }] }))),
    part(
      '/storage_conf',
      qmStorageConf.generate({
        path: config.storage_conf.path,
        transientStore: config.storage_conf.transient_store,
        ...(embeddedImages(config).length > 0 ? { imageStore: IN_QM.imageStore } : {}),
      }),
      false,
    ),
    part('/container_images', qmImages.generate({ images: images(config), store: IN_QM.imageStore }), false),
  ]
}

/** The one part that depends on the SELinux policy's name. */
const POLICY_PART = '/policy'
const policyPart = (policy: string) => qmSelinuxContexts.generate({ policy })

/** `parts` with the policy's part made for `policy`: a 5,000-unit config's other parts are not made twice. */
const forPolicy = (parts: QmPart[], policy: string): QmPart[] => parts.map((p) => (p.key === POLICY_PART ? { ...p, fragment: policyPart(policy) } : p))

function osSource(config: QmConfig, resolved: Resolved, policy: string): qmOs.OsSource {
  const r = config.rootfs
  switch (rootfsKind(config)) {
    case 'rpms':
      return { kind: 'rpms', rpms: r.rpms!, gpgkeys: r.gpgkeys }
    case 'tarball':
      return resolved.tarball ? { kind: 'tarball', content: resolved.tarball } : { kind: 'tarball', url: r.tarball!.url!, sha256: r.tarball!.sha256! }
    case 'pipeline':
      return { kind: 'pipeline', pipeline: r.pipeline! }
    case 'depsolve':
      return {
        kind: 'depsolve',
        packages: [...new Set([...(r.base_packages ?? basePackages(config, policy)), ...r.packages, ...config.content.rpms])],
        excludes: r.exclude_packages,
        repos: [...r.repos, ...config.content.repos],
        reposFrom: [...r.repos_from, ...distroRepoVars(config)],
        architecture: r.architecture,
        modulePlatformId: r.module_platform_id,
        ...(r.releasever ? { releasever: r.releasever } : {}),
        gpgkeys: r.gpgkeys,
      }
  }
}

export function bluechiOptions(config: QmConfig): qmBluechi.Options {
  const { controller, agent, dropin, node_name } = config.bluechi
  return {
    nodeName: node_name ?? `qm.${config.node}`,
    controller: controller.host ? { host: controller.host, ...(controller.port ? { port: controller.port } : {}) } : { address: controller.address },
    extra: agent,
    dropin,
  }
}

/**
 * What systemd-tmpfiles makes at boot, in one file: QM's /var (in image mode copied from the seed
 * when missing or empty, in both modes /var/qm/tmp), the BlueChi socket directory QM mounts (0700
 * root, as BlueChi's own tmpfiles.d makes it; its file sorts first and wins when installed), and
 * the host directories of container.host_dirs.
 */
export function tmpfilesLines(config: QmConfig): hostTmpfiles.TmpfilesLine[] {
  const lines: hostTmpfiles.TmpfilesLine[] = []
  if (config.mode === 'image') {
    lines.push({ type: 'C', path: QM.var, argument: QM.varSeed, why: "QM's /var: OSTree and bootc never deploy /var from the image after the first boot" })
  }
  lines.push({ type: 'd', path: QM.varTmp, mode: '1777', user: 'root', group: 'root', why: "QM's /var/tmp (Volume=${RWVARFS}/tmp:/var/tmp)" })
  const bluechi = bluechiSocket(config)
  if (bluechi) lines.push({ type: 'd', path: bluechi.dir, mode: '0700', user: 'root', group: 'root', why: `the BlueChi controller socket's directory, mounted into QM (${bluechi.socket})` })
  // systemd-tmpfiles applies one line per path and logs the others as errors: the first is kept
  const made = new Set(lines.map((l) => l.path))
  for (const d of config.container.host_dirs) {
    if (made.has(d.path)) continue
    made.add(d.path)
    lines.push({ type: 'd', path: d.path, mode: d.mode, user: d.user, group: d.group, why: "a host directory a QM volume needs (container.host_dirs)" })
  }
  return lines
}

function images(config: QmConfig): qmImages.Image[] {
  return embeddedImages(config).map(({ image }) => ({
    source: image.source,
    name: imageName(image),
    ...(image.tag ? { tag: image.tag } : {}),
    ...(image.digest ? { digest: image.digest } : {}),
    ...(image.image_id ? { imageId: image.image_id } : {}),
    ...(image['containers-transport'] ? { transport: image['containers-transport'] } : {}),
    ...(image.index ? { index: true } : {}),
  }))
}

export function dropinOptions(config: QmConfig): hostDropins.Options {
  const socket = bluechiSocket(config)?.dir
  return {
    resources: {
      MemoryMax: config.memory_limit.max,
      MemoryHigh: config.memory_limit.high,
      CPUWeight: String(config.cpu_weight),
      IOWeight: String(config.io_weight),
      TasksMax: String(config.tasks_max),
      OOMScoreAdjust: String(config.oom_score_adjust),
      ...(config.cpu_quota ? { CPUQuota: config.cpu_quota } : {}),
      ...(config.allowed_cpus ? { AllowedCPUs: config.allowed_cpus } : {}),
    },
    container: config.container,
    readOnly: readOnly(config),
    ...(socket ? { bluechiSocketDir: socket } : {}),
    allowUnsafe: config.allow_unsafe,
  }
}

