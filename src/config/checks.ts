import {
  CAPABILITIES,
  normaliseCapability,
  QM_DROPPED_CAPABILITIES,
  UNSAFE,
  type UnsafeId,
} from '../isolation.ts'
import { QM } from '../qm/paths.ts'
import { escapeKey, suggest, type Check } from './messages.ts'
import { dropinNameProblem, isValidSystemdUnitName, isValidUnitName } from '../units/names.ts'
import { DIR_ROOTS, FILE_ROOTS, HOST_DIR_ROOTS, pathProblem } from './paths.ts'
import { parsePublishPort } from './ports.ts'
import { canonicalHostPath, classifyHostPath } from '../isolation/host-paths.ts'
import { guard, NESTED_OWNED, type Found } from './guard.ts'
import { unitChecks } from './units.ts'
import { bluechiSocket, embeddedImages, imageName, nestedContainerName, normaliseImageRef, readOnly } from './derive.ts'
import type { FileSource, QmConfig } from './types.ts'
import { addParents } from '../parents.ts'

/** Checks the schema cannot express. `raw` is the config as written (to tell given keys from defaults). */
export function checkConfig(config: QmConfig, raw: unknown): Check[] {
  const given = (pointer: string) => has(raw, pointer)
  const guarded = guard(config)
  return [
    ...guarded.checks,
    ...checkRootfs(config, given),
    ...checkPipelines(config),
    ...checkContent(config),
    ...checkFileSources(config),
    ...checkContainer(config),
    ...checkBluechi(config, given),
    ...checkNested(config),
    ...unitChecks(config),
    ...checkImages(config),
    ...checkHostFiles(config),
    ...checkUnsafe(config, guarded.found),
  ]
}

const DEPSOLVE_KEYS = ['packages', 'base_packages', 'exclude_packages', 'repos', 'repos_from', 'architecture', 'module_platform_id', 'releasever']

function checkRootfs(config: QmConfig, given: (p: string) => boolean): Check[] {
  const sources = (['rpms', 'tarball', 'pipeline'] as const).filter((k) => given(`/rootfs/${k}`))
  const out: Check[] = []
  for (const extra of sources.slice(1)) {
    out.push(conflict(`/rootfs/${extra}`, `rootfs takes one source; ${sources[0]} is already given`, true))
  }
  if (sources.length > 0) {
    const depsolve = [
      ...DEPSOLVE_KEYS.filter((k) => given(`/rootfs/${k}`)).map((k) => `/rootfs/${k}`),
      ...['rpms', 'repos', 'enable_repos'].filter((k) => given(`/content/${k}`)).map((k) => `/content/${k}`),
    ]
    for (const p of depsolve) {
      out.push(conflict(p, `needs package resolution, but rootfs comes from ${sources[0]}: put the packages into that source instead`, true))
    }
  }
  const tarball = config.rootfs.tarball
  if (tarball) out.push(...oneSource(tarball, '/rootfs/tarball', ['source_path', 'url']))
  return out
}

/**
 * The pipelines the config names form a graph osbuild must be able to order: the QM pipeline is built in
 * build_pipeline's tree and copies rootfs.pipeline's tree, so neither may be the QM pipeline itself (osbuild
 * builds a build root, and a tree input, before the pipeline that uses it). Those are the only edges the config
 * gives, so these are the only cycles it can make; the importing manifest's own edges are osbuild's to check.
 */
function checkPipelines(config: QmConfig): Check[] {
  const out: Check[] = []
  const self = config.pipeline
  if (config.build_pipeline === self) {
    out.push(conflict('/build_pipeline', `${self} is the QM pipeline itself: a pipeline cannot be its own build root (osbuild builds the build root first)`))
  }
  if (config.rootfs.pipeline === self) {
    out.push(conflict('/rootfs/pipeline', `${self} is the QM pipeline itself: its tree cannot be copied into itself before it is built`))
  }
  return out
}

function checkContent(config: QmConfig): Check[] {
  const c = config.content
  const out: Check[] = []
  const path = (pointer: string, value: string, roots: readonly string[]) => {
    const problem = pathProblem(value, roots)
    if (problem) out.push({ code: 'PATH_NOT_ALLOWED', message: `${value} ${problem}`, pointer })
  }
  const seen = new Map<string, string>()
  c.add_files.forEach((f, i) => {
    const at = `/content/add_files/${i}`
    path(`${at}/path`, f.path, FILE_ROOTS)
    const kinds = (['text', 'source_path', 'url', 'source_glob'] as const).filter((k) => f[k] !== undefined)
    if (kinds.length !== 1) {
      out.push(invalid(at, `needs exactly one of text, source_path, url, source_glob (has ${kinds.join(', ') || 'none'})`))
    }
    if (f.sha256 !== undefined && f.url === undefined) out.push(invalid(`${at}/sha256`, 'only goes with url'))
    // without it osbuild-mpp would download unverified content on the build machine
    if (f.url !== undefined && f.sha256 === undefined) out.push(invalid(at, 'a url needs its sha256'))
    if (f.source_glob === undefined) {
      const other = seen.get(f.path)
      if (other) out.push(conflict(`${at}/path`, `${f.path} is already written by ${other}`))
      seen.set(f.path, at)
    }
  })
  c.make_dirs.forEach((d, i) => path(`/content/make_dirs/${i}/path`, d.path, DIR_ROOTS))
  c.add_symlinks.forEach((l, i) => path(`/content/add_symlinks/${i}/link`, l.link, DIR_ROOTS))
  c.chmod_files.forEach((f, i) => path(`/content/chmod_files/${i}/path`, f.path, DIR_ROOTS))
  c.chown_files.forEach((f, i) => {
    path(`/content/chown_files/${i}/path`, f.path, DIR_ROOTS)
    if (f.user === undefined && f.group === undefined) out.push(invalid(`/content/chown_files/${i}`, 'needs user or group'))
  })
  for (const [key, units] of Object.entries(c.systemd)) {
    units.forEach((unit: string, i: number) => {
      // systemctl takes a bare name as a .service
      if (!isValidSystemdUnitName(unit.includes('.') ? unit : `${unit}.service`)) {
        out.push(invalid(`/content/systemd/${key}/${i}`, `${unit} is not a unit name systemctl accepts (NAME.service, .socket, .timer, ...)`))
      }
    })
  }
  c.remove_files.forEach((f, i) => path(`/content/remove_files/${i}/path`, f.path, DIR_ROOTS))
  return out
}

function checkFileSources(config: QmConfig): Check[] {
  const sources: [string, FileSource | undefined][] = [
    ['/container/seccomp_source', config.container.seccomp_source],
    ['/selinux/module', config.selinux.module],
    ['/selinux/interface', config.selinux.interface],
  ]
  return sources.flatMap(([at, source]) => (source ? oneSource(source, at, ['source_path', 'url', 'pipeline']) : []))
}

/** A file source names exactly one origin; a url carries its sha256; a path only goes with a pipeline. */
function oneSource(source: FileSource, at: string, kinds: readonly (keyof FileSource)[]): Check[] {
  const present = kinds.filter((k) => source[k] !== undefined)
  const out: Check[] = []
  if (present.length !== 1) out.push(invalid(at, `needs exactly one of ${kinds.join(', ')} (has ${present.join(', ') || 'none'})`))
  if (source.url !== undefined && source.sha256 === undefined) out.push(invalid(at, 'a url needs its sha256'))
  if (source.sha256 !== undefined && source.url === undefined) out.push(invalid(`${at}/sha256`, 'only goes with url'))
  if (source.path !== undefined && source.pipeline === undefined) out.push(invalid(`${at}/path`, 'only goes with pipeline'))
  return out
}

function checkContainer(config: QmConfig): Check[] {
  const c = config.container
  const out: Check[] = []
  const caps = (key: 'add_capabilities' | 'drop_capabilities') =>
    c[key].forEach((name, i) => {
      const cap = normaliseCapability(name)
      if (!CAPABILITIES.has(cap)) out.push(invalid(`/container/${key}/${i}`, `${name} is not a Linux capability${suggest(cap, [...CAPABILITIES])}`))
    })
  caps('add_capabilities')
  caps('drop_capabilities')
  c.add_capabilities.forEach((name, i) => {
    if (c.drop_capabilities.map(normaliseCapability).includes(normaliseCapability(name))) {
      out.push(conflict(`/container/add_capabilities/${i}`, `${name} is also in drop_capabilities`))
    }
  })
  return [...out, ...checkPorts(c), ...checkHostDirs(config)]
}

function checkPorts(c: QmConfig['container']): Check[] {
  const out: Check[] = []
  c.publish_ports.forEach((spec, i) => {
    const parsed = parsePublishPort(spec)
    if ('problem' in parsed) out.push(invalid(`/container/publish_ports/${i}`, `${spec}: ${parsed.problem}`))
  })
  // a published port forwards into QM's own network namespace; without one there is nothing to forward to
  if (c.publish_ports.length > 0 && (c.network === 'host' || c.network === 'none')) {
    out.push(conflict('/container/publish_ports', `network: ${c.network} has no network namespace of QM's own to publish ports from`, true))
  }
  return out
}

/**
 * Host directories made at boot for volumes: only where the image cannot hold them
 * (/run is a tmpfs, /var is not deployed after the first boot), never a tree the host
 * itself owns, and only for a directory a volume of qm.container actually uses.
 */
function checkHostDirs(config: QmConfig): Check[] {
  const c = config.container
  const out: Check[] = []
  // every volume source and each directory above it, found once: thousands of host_dirs and volumes cost their
  // sum, not their product
  const needed = new Set<string>()
  for (const source of c.volumes.map((v) => v.split(':')[0]!).filter((s) => s.startsWith('/'))) {
    if (needed.has(source)) continue
    addParents(needed, source)
    needed.add(source)
  }
  const seen = new Set<string>()
  c.host_dirs.forEach((d, i) => {
    const at = `/container/host_dirs/${i}/path`
    const problem = pathProblem(d.path, HOST_DIR_ROOTS)
    if (problem) return void out.push({ code: 'PATH_NOT_ALLOWED', message: `${d.path} ${problem}`, pointer: at })
    // tmpfiles.d splits on blanks and expands % specifiers
    if (/[\s%\\]/.test(d.path)) return void out.push(invalid(at, `${d.path}: a blank, "%" or "\\" would change the tmpfiles.d line`))
    if (d.path === QM.var || d.path.startsWith(`${QM.var}/`)) {
      return void out.push({ code: 'PATH_NOT_ALLOWED', message: `${d.path} is QM's own /var: create it inside QM with content.make_dirs`, pointer: at })
    }
    // tmpfiles.d also resets the mode and owner of an existing directory: never one a host service owns.
    // Whether QM may mount it at all is the volume's question (the host path policy, allow_unsafe).
    const owner = classifyHostPath(canonicalHostPath(d.path))
    if (owner.verdict !== 'allow' && owner.path !== '/run') {
      return void out.push({ code: 'PATH_NOT_ALLOWED', message: `${d.path} is ${owner.name} (${owner.why}); qm-stage does not create or change it`, pointer: at })
    }
    if (seen.has(d.path)) out.push(conflict(at, `${d.path} is already listed`))
    seen.add(d.path)
    if (!needed.has(d.path)) {
      out.push(invalid(at, `${d.path} is not the source of a container.volumes entry nor a parent of one: host_dirs only makes what QM's volumes need`))
    }
  })
  return out
}

function checkBluechi(config: QmConfig, given: (p: string) => boolean): Check[] {
  const { bluechi } = config
  const tcp = given('/bluechi/controller/host') || given('/bluechi/controller/port')
  const out: Check[] = []
  if (tcp && given('/bluechi/controller/address')) {
    out.push(conflict('/bluechi/controller/address', 'give either address (Unix socket) or host and port (TCP)', true))
  }
  if (given('/bluechi/controller/port') && !given('/bluechi/controller/host')) {
    out.push(invalid('/bluechi/controller', 'port needs host'))
  }
  const shared = bluechiSocket(config)
  // QM gets the socket's directory: a dedicated one under /run, which tmpfiles.d makes at boot
  if (shared && !/^\/run\/[^/]+/.test(shared.dir)) {
    out.push({
      code: 'PATH_NOT_ALLOWED',
      message: `${shared.socket}: the controller socket must sit in its own directory under /run (like /run/bluechi/bluechi.sock): QM mounts that directory, created at boot`,
      pointer: '/bluechi/controller/address',
    })
  }
  const dropin = dropinNameProblem(bluechi.dropin)
  if (dropin) out.push(invalid('/bluechi/dropin', dropin))
  for (const key of Object.keys(bluechi.agent)) {
    if (['NodeName', 'ControllerAddress', 'ControllerHost', 'ControllerPort'].includes(key)) {
      out.push(conflict(`/bluechi/agent/${escapeKey(key)}`, `set ${key} with bluechi node_name or controller`, true))
    }
  }
  return out
}

/** podman's rule for container names. */
const PODMAN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

function checkNested(config: QmConfig): Check[] {
  const out: Check[] = []
  const names = new Map<string, number>()
  const containerNames = new Map<string, number>()
  const embedded = new Set(embeddedImages(config).map(({ image }) => normaliseImageRef(imageName(image))))
  config.nested.forEach((n, i) => {
    const at = `/nested/${i}`
    const first = names.get(n.name)
    if (first !== undefined) out.push(conflict(`${at}/name`, `nested/${first} already has the name ${n.name}`))
    if (!isValidUnitName(`${n.name}.container`)) out.push(invalid(`${at}/name`, `${n.name}.container gives a service name systemd refuses (at most 255 bytes, no leading @)`))
    names.set(n.name, i)
    const isEmbedded = embedded.has(normaliseImageRef(n.image))
    if (!isEmbedded && (n.pull === undefined || n.pull === 'never')) {
      out.push({
        code: 'IMAGE_NOT_EMBEDDED',
        message: `${n.image} is not in container_images; embed it, or set pull: missing (or always, newer) to fetch it when QM starts`,
        pointer: `${at}/image`,
      })
    }
    const containerName = nestedContainerName(n)
    if (n.container_name !== undefined && 'ContainerName' in n.container) {
      out.push(conflict(`${at}/container/ContainerName`, 'give either container_name or a raw ContainerName', true))
    } else if (!PODMAN_NAME.test(containerName)) {
      out.push(invalid(`${at}/name`, `${n.name} is not a name podman accepts for a container (ContainerName= defaults to it); give container_name`))
    }
    const sameName = containerNames.get(containerName)
    if (sameName !== undefined && first === undefined) out.push(conflict(`${at}/name`, `nested/${sameName} runs a container named ${containerName} too: podman would replace one with the other`))
    containerNames.set(containerName, i)
    for (const [section, owned] of Object.entries(NESTED_OWNED)) {
      for (const key of owned) {
        if (key in (n as unknown as Record<string, Record<string, unknown>>)[section]!) {
          out.push(conflict(`${at}/${section}/${key}`, `set ${key} with the nested entry's own field`, true))
        }
      }
    }
  })
  return out
}

function checkImages(config: QmConfig): Check[] {
  const out: Check[] = []
  const names = new Map<string, string>()
  for (const { image, pointer } of embeddedImages(config)) {
    const name = normaliseImageRef(imageName(image))
    const first = names.get(name)
    if (first) out.push(conflict(pointer, `${first} already embeds ${name}`))
    names.set(name, pointer)
  }
  return out
}

function checkHostFiles(config: QmConfig): Check[] {
  const { container: c, selinux, host_files } = config
  const out: Check[] = []
  const profileIsFile = c.seccomp_profile.startsWith('/')
  if (host_files === 'plugin') {
    if (profileIsFile && !c.seccomp_source) {
      out.push({
        code: 'SOURCE_MISSING',
        message: `qm.container names ${c.seccomp_profile}, which the qm rpm generates at install time; with host_files: plugin give container.seccomp_source (a local file, a url with sha256, or a pipeline such as build that has the qm rpm installed)`,
        pointer: '/container/seccomp_profile',
      })
    }
    if (!selinux.module) {
      out.push({
        code: 'SOURCE_MISSING',
        message: 'host_files: plugin installs the qm SELinux module; give selinux.module (a local qm.pp.bz2, a url with sha256, or a pipeline that has the qm rpm installed)',
        pointer: '/selinux',
      })
    }
  } else {
    if (selinux.module) out.push(conflict('/selinux/module', 'only used with host_files: plugin (the qm rpm ships the module)', true))
    if (selinux.interface) out.push(conflict('/selinux/interface', 'only used with host_files: plugin (the qm rpm ships it)', true))
    if (profileIsFile && c.seccomp_profile !== QM.seccompProfile && !c.seccomp_source) {
      out.push({ code: 'SOURCE_MISSING', message: `${c.seccomp_profile} is not a file the qm rpm provides; give container.seccomp_source`, pointer: '/container/seccomp_profile' })
    }
    // the rpm's %post (create-seccomp-rules) writes this file at every install and upgrade
    if (c.seccomp_profile === QM.seccompProfile && c.seccomp_source) {
      out.push(conflict('/container/seccomp_source', `${QM.seccompProfile} is the qm rpm's own profile, rewritten by its %post at every install and upgrade; name another .json file under ${QM.shareDir}/ in seccomp_profile`, true))
    }
  }
  if (c.seccomp_source && !profileIsFile) out.push(conflict('/container/seccomp_source', `seccomp_profile ${c.seccomp_profile} names no file`, true))
  return out
}

/** Every setting that weakens isolation, with the config place that makes it. */
export function unsafeSettings(config: QmConfig, guarded: Found[]): Found[] {
  const c = config.container
  const found: Found[] = [...guarded]
  c.add_capabilities.forEach((name, i) => {
    const cap = normaliseCapability(name)
    if ((QM_DROPPED_CAPABILITIES as readonly string[]).includes(cap)) {
      found.push({ id: `capability.${cap}` as UnsafeId, pointer: `/container/add_capabilities/${i}`, detail: `add_capabilities ${name}` })
    }
  })
  if (c.privileged) found.push({ id: 'privileged', pointer: '/container/privileged', detail: 'privileged: true' })
  if (c.network === 'host') found.push({ id: 'network.host', pointer: '/container/network', detail: 'network: host' })
  if (c.security_label_disable) found.push({ id: 'selinux.label_disable', pointer: '/container/security_label_disable', detail: 'security_label_disable: true' })
  if (!config.selinux.label) found.push({ id: 'selinux.no_labelling', pointer: '/selinux/label', detail: 'label: false' })
  if (c.seccomp_profile === 'default') found.push({ id: 'seccomp.default', pointer: '/container/seccomp_profile', detail: 'seccomp_profile: default' })
  if (c.seccomp_profile === 'unconfined') found.push({ id: 'seccomp.unconfined', pointer: '/container/seccomp_profile', detail: 'seccomp_profile: unconfined' })
  if (config.mode === 'image' && !readOnly(config)) found.push({ id: 'read_only.off', pointer: '/container/read_only', detail: 'read_only: false on an image-mode host' })
  c.publish_ports.forEach((spec, i) => {
    const port = parsePublishPort(spec)
    if (!('problem' in port) && port.hostIp === undefined) {
      found.push({ id: 'publish_port.all_interfaces', pointer: `/container/publish_ports/${i}`, detail: `publish_ports ${spec} (give a host address, such as 127.0.0.1:${port.hostPort ?? port.containerPort}:${port.containerPort})` })
    }
  })
  if (config.oom_score_adjust <= 0) found.push({ id: 'oom.qm_not_positive', pointer: '/oom_score_adjust', detail: `${config.oom_score_adjust}` })
  if (config.containers_conf.oom_score_adj < config.oom_score_adjust) {
    found.push({ id: 'oom.containers_below_qm', pointer: '/containers_conf/oom_score_adj', detail: `${config.containers_conf.oom_score_adj} < ${config.oom_score_adjust}` })
  }
  config.nested.forEach((n, i) => {
    if (n.oom_score_adjust !== undefined && n.oom_score_adjust < config.oom_score_adjust) {
      found.push({ id: 'oom.nested_below_qm', pointer: `/nested/${i}/oom_score_adjust`, detail: `${n.name}: ${n.oom_score_adjust} < ${config.oom_score_adjust}` })
    }
  })
  return found
}

/**
 * Local content (Quadlet files, a seccomp profile) is read and classified by render after loading, so an
 * allow_unsafe entry that only such content uses is judged there.
 */
export const contentDecidesUnsafe = (config: QmConfig) =>
  config.content.add_files.length > 0 || config.content.add_symlinks.length > 0 || config.container.seccomp_source?.source_path !== undefined

function checkUnsafe(config: QmConfig, guarded: Found[]): Check[] {
  return unsafeProblems(config, unsafeSettings(config, guarded), [], !contentDecidesUnsafe(config))
}

/**
 * UNSAFE_SETTING for each of `found` and `later` that allow_unsafe does not accept, and (with `unused`) each
 * allow_unsafe entry that none of them uses. `later`: what render finds in local content.
 */
export function unsafeProblems(config: QmConfig, found: Found[], later: Found[], unused: boolean): Check[] {
  const all = [...found, ...later]
  const out: Check[] = all
    .filter((f) => config.allow_unsafe[f.id] === undefined)
    .map((f) => ({
      code: 'UNSAFE_SETTING',
      message: `${f.detail}: ${UNSAFE[f.id]}; to accept this, add to allow_unsafe: "${f.id}: <why it is needed>"`,
      pointer: f.pointer,
    }))
  if (unused) {
    for (const id of Object.keys(config.allow_unsafe)) {
      if (!all.some((f) => f.id === id)) {
        out.push({ code: 'UNUSED_ALLOW_UNSAFE', message: `the config makes no ${id} setting; remove this entry`, pointer: `/allow_unsafe/${escapeKey(id)}`, atKey: true })
      }
    }
  }
  // lowering an OOM score below QM's needs CAP_SYS_RESOURCE inside QM, which QM drops
  const canLower = config.container.add_capabilities.map(normaliseCapability).includes('sys_resource')
  for (const f of all.filter((f) => f.id === 'oom.nested_below_qm' && !canLower)) {
    out.push(conflict(f.pointer, 'lowering an OOM score below QM\'s needs CAP_SYS_RESOURCE inside QM: add sys_resource to container.add_capabilities'))
  }
  return out
}

const conflict = (pointer: string, message: string, atKey = false): Check => ({ code: 'CONFLICT', message, pointer, atKey })
const invalid = (pointer: string, message: string): Check => ({ code: 'CONFIG_INVALID', message, pointer })

/** Whether the raw config has a value at `pointer`. */
function has(raw: unknown, pointer: string): boolean {
  let node = raw
  for (const part of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object' || !(part in node)) return false
    node = (node as Record<string, unknown>)[part]
  }
  return node !== undefined
}
