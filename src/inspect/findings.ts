import { normaliseCapability, QM_DROPPED_CAPABILITIES, UNSAFE, type UnsafeId } from '../isolation.ts'
import { nestedContext, qmContext } from '../isolation/contexts.ts'
import { canonicalHostPath, readSource, splitVolume } from '../isolation/host-paths.ts'
import { classifyEntry } from '../isolation/quadlet-keys.ts'
import { classifyPodmanArgs, type RawContext } from '../isolation/raw-keys.ts'
import { classifyQuadletEntries, serviceEnvironment } from '../isolation/quadlet-files.ts'
import { classifyContainersConfKey, containersConfEntries } from '../isolation/containers-conf.ts'
import { classifyProfile, PROFILE_IDS, seccompPathId } from '../isolation/seccomp.ts'
import { IN_QM, QM } from '../qm/paths.ts'
import { takenBy } from '../isolation/units.ts'
import { bindSource, notFromHost, volumeTarget } from '../qm/nested-mounts.ts'
import { parsePublishPort } from '../config/ports.ts'
import { normaliseImageRef } from '../config/derive.ts'
import { mergeUnits, type EffectiveUnit, type Setting } from '../units/merge.ts'
import { parseUnit } from '../units/parse.ts'
import { quadletBoolean, quadletLookup, systemdEffective, validMemoryLimit, validOomScore, type Unquote } from '../units/lookup.ts'
import type { InsideModel } from './inside.ts'
import type { QuadletModel } from './unit-model.ts'
import { MAX_VAR_FILES, SYSTEM_UNIT_DIRS } from './interest.ts'
import { NESTED_RANGE_OWNER, rangeOf, reserved } from './subids.ts'
import type { Finding, PathState, Report, Severity } from './report.ts'
import { loads, unreadIn, type TreeView } from './view.ts'

/** Everything the rules look at. */
export interface Facts {
  report: Omit<Report, 'findings'>
  quadlet: QuadletModel
  inside: InsideModel
  host: TreeView
  /** QM's own view: the rootfs with /etc/qm and /var/qm on /etc and /var */
  qm: TreeView
  /** whether the input carries SELinux labels at all (tars from osbuild do; directories cannot) */
  hasLabels: boolean
  /** how the modelled podman's Quadlet unquotes single values */
  unquote: Unquote
}

/** Every finding, most severe first, then by id. */
export function findings(facts: Facts): Finding[] {
  const rules = [...placement(facts), ...quadlet(facts), ...isolation(facts), ...hostOom(facts), ...inside(facts), ...bluechi(facts), ...selinux(facts), ...subids(facts), ...units(facts)]
  // last: the rules above record what they needed and could not read
  const all = accepted(facts, [...archive(facts), ...rules])
  const out = notMaterialised(facts, all)
  const rank = (s: Severity) => ['error', 'warning', 'info'].indexOf(s)
  return out.sort((a, b) => rank(a.severity) - rank(b.severity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

const finding = (id: string, severity: Severity, message: string, file?: string): Finding => ({ id, severity, message, ...(file ? { file } : {}) })

/** Findings about parts an OS or the qm rpm provides, which a tree of what QM adds does not hold. */
const OS_PARTS = new Set(['placement.no_init', 'placement.no_systemd', 'placement.no_podman'])
const RPM_PARTS = new Set(['quadlet.missing', 'selinux.module_missing'])

/** The image stores and images the stages `qm-stage tree` skipped would have filled (its marker says which). */
function skippedImages({ report }: Pick<Facts, 'report'>): { stores: Set<string>; images: Set<string> } {
  const skopeo = (report.notMaterialised?.stages ?? []).filter((s) => s.stage === 'org.osbuild.skopeo')
  return { stores: new Set(skopeo.flatMap((s) => (s.store ? [s.store] : []))), images: new Set(skopeo.flatMap((s) => s.images.map(normaliseImageRef))) }
}

/**
 * What `qm-stage tree` without a seed leaves out is "not materialised", a notice, not an error; a built image
 * with the same gaps keeps the errors. The QM's OS and embedded images: the marker tree writes into the rootfs
 * placeholder names the stages it skipped (an older tree without one: a rootfs without /usr/bin in a tree
 * without a host OS). What the qm rpm installs on the host: a tree with no host OS (no /usr/bin: every OS has
 * it, and qm-stage writes nothing there) is the overlay QM adds, with or without a seed.
 */
function notMaterialised(facts: Facts, all: Finding[]): Finding[] {
  const { report: { placement: p, notMaterialised: marker }, host } = facts
  if (!p.rootfs.present) return all
  const overlay = !host.exists('/usr/bin')
  // a rootfs with an OS in it (/usr/bin) that lacks init is wrong, not unmaterialised, whatever a marker says
  const osSkipped = !host.exists(`${QM.rootfs}/usr/bin`) && (marker ? marker.stages.some((s) => s.stage !== 'org.osbuild.skopeo') : overlay)
  const os = osSkipped ? all.filter((f) => OS_PARTS.has(f.id)) : []
  const rpm = overlay ? all.filter((f) => RPM_PARTS.has(f.id)) : []
  const out = all.filter((f) => !os.includes(f) && !rpm.includes(f))
  if (os.length > 0) {
    const why = marker ? `${marker.file} says ${marker.stages.filter((s) => s.stage !== 'org.osbuild.skopeo').map((s) => s.stage).join(', ')} did not run` : 'its rootfs has no /usr/bin'
    out.push(finding('tree.os_not_materialised', 'info', `this tree holds what QM adds to an image, without the QM's OS (${why}, so no ${os.map((f) => f.id.replace('placement.no_', '')).join(', ')}): not materialised, as qm-stage tree writes it without --seed, so the OS checks are skipped`, marker?.file))
  }
  if (rpm.length > 0) {
    out.push(finding('tree.rpm_not_materialised', 'info', `this tree has no host OS, so what the qm rpm installs (${rpm.map((f) => (f.id === 'quadlet.missing' ? 'qm.container' : 'the SELinux module')).join(', ')}) is not materialised; with host_files: plugin qm-stage writes them itself`))
  }
  const { stores, images } = skippedImages(facts)
  if (marker && (stores.size > 0 || images.size > 0)) {
    const names = [...images].join(', ') || 'none named'
    out.push(finding('tree.images_not_materialised', 'info', `the images org.osbuild.skopeo embeds into ${[...stores].join(', ') || "QM's image store"} (${names}) are not materialised: qm-stage tree does not fetch images, so that store and whether those images are embedded are not checked`, marker.file))
  }
  return out
}

/** Reader problems reported one by one; past this, one finding counts the rest. */
const MAX_PROBLEM_FINDINGS = 50

/**
 * What could not be read, and why: nothing unreadable is taken as empty. An error for what the report needed
 * (a unit, drop-in or config file whose content is missing, a directory that could not be listed, a link that
 * leads nowhere) and for an archive cut short; a warning for anything else the reader left out.
 */
function archive({ host }: Facts): Finding[] {
  const out: Finding[] = []
  const { problems } = host.index
  const unread = unreadIn(host.index)
  for (const u of unread) out.push(finding('read.unreadable', 'error', `cannot be read (${u.reason}): what it sets is unknown, and this report does not include it`, u.path))
  for (const p of problems) if (p.truncated) out.push(finding('read.truncated', 'error', `the archive is cut short: ${p.message}; nothing after that point was read, so what it holds is missing from this report`))
  const told = new Set(unread.map((u) => u.path))
  const rest = problems.filter((p) => !p.truncated && !(p.path !== undefined && told.has(p.path)))
  for (const p of rest.slice(0, MAX_PROBLEM_FINDINGS)) out.push(finding('read.problem', 'warning', p.message, p.path))
  if (rest.length > MAX_PROBLEM_FINDINGS) out.push(finding('read.problem', 'warning', `${rest.length - MAX_PROBLEM_FINDINGS} more problems reading the input`))
  const implied = host.index.stats.impliedDirs ?? 0
  if (implied > 0) {
    out.push(
      finding('archive.implied_dirs', 'info', `${implied} directories have no member of their own in the archive, only members below them (as \`tar -cf x.tar path/to/file\` writes it): read as tar extracts them, 0755 and owned by root; their own modes, owners and labels are unknown`),
    )
  }
  return out
}

function placement({ report: { placement: p, imageMode } }: Facts): Finding[] {
  const out: Finding[] = []
  if (!p.rootfs.present) return [finding('placement.rootfs_missing', 'error', `${QM.rootfs} is missing: there is no QM in this tree`)]
  const missing = (id: string, state: PathState, what: string) => finding(id, 'error', `${state.path} is missing: qm.container mounts it as ${what}, so QM cannot start`)
  // systemd-tmpfiles makes a line's path, and its parents, at every boot
  const made = new Set(p.tmpfiles.map((l) => l.path))
  if (!p.etc.present) out.push(missing('placement.etc_missing', p.etc, "QM's /etc"))
  if (!p.var.present && !made.has(QM.var) && !made.has(QM.varTmp)) out.push(missing('placement.var_missing', p.var, "QM's /var"))
  if (imageMode) {
    // OSTree and bootc deploy a commit's /var at most once, into an empty stateroot, never on upgrade
    if (!made.has(QM.varTmp)) {
      out.push(finding('tmpfiles.var_tmp_missing', 'error', `no tmpfiles.d line creates ${QM.varTmp}: an image-mode host gets no /var from the image after the first deployment, so qm.container's Volume=\${RWVARFS}/tmp:/var/tmp has no source and QM cannot start`))
    }
    if (p.varFiles.length > 0) {
      const count = p.varFiles.length >= MAX_VAR_FILES ? `at least ${MAX_VAR_FILES}` : String(p.varFiles.length)
      out.push(
        finding('placement.var_files_lost', 'warning', `${count} regular file(s) under ${QM.var} (${p.varFiles.slice(0, 3).join(', ')}${p.varFiles.length > 3 ? ', ...' : ''}): an image-mode host never receives them (OSTree and bootc do not deploy /var on upgrade, and ostree.preptree drops /var files); ship QM's /var under /usr and copy it with a tmpfiles.d C line`, p.varFiles[0]),
      )
    }
  } else if (!p.varTmp.present && !made.has(QM.varTmp)) out.push(missing('placement.var_tmp_missing', p.varTmp, "QM's /var/tmp"))
  if (!p.init) out.push(finding('placement.no_init', 'error', `the QM rootfs has no /sbin/init, which qm.container runs`))
  if (!p.systemd) out.push(finding('placement.no_systemd', 'warning', 'the QM rootfs has no /usr/lib/systemd/systemd'))
  if (!p.podman) out.push(finding('placement.no_podman', 'warning', 'the QM rootfs has no /usr/bin/podman: nested containers cannot run'))
  return out
}

function quadlet({ report: { quadlet: q }, quadlet: model }: Facts): Finding[] {
  const out: Finding[] = []
  if (!q.unit) out.push(finding('quadlet.missing', 'error', 'no qm.container in /etc, /run or /usr/share/containers/systemd: QM will not start'))
  for (const file of q.rejected) out.push(finding('quadlet.rejected', 'error', 'Quadlet refuses this file (a line is neither a section, a key=value nor a comment)', file))
  for (const key of model.unknownKeys) {
    out.push(finding('quadlet.unknown_key', 'error', `${key.value} is not a key Quadlet knows: it refuses the whole unit, so qm.service is not generated`, `${key.file}:${key.line}`))
  }
  const pre = q.pregenerated
  if (pre?.dropinsIgnored) {
    out.push(finding('quadlet.pregenerated', 'warning', `${pre.path} was generated at build time and takes precedence at runtime: qm.container drop-ins added later have no effect (containers/qm#715)`, pre.path))
  }
  for (const diff of pre?.dropinsIgnored ? pre.differs : []) out.push(finding('quadlet.pregenerated_stale', 'error', `the running qm.service misses a drop-in setting: ${diff}`, pre!.path))
  // systemd reads [Service]: a value it refuses (MemoryMax="4G": it does not unquote) is ignored
  const max = systemdSetting(model.effective, 'MemoryMax', validMemoryLimit)
  if (q.unit && (max === undefined || max.value === '' || max.value === 'infinity')) {
    const set = setting(model.effective, 'Service', 'MemoryMax')
    const ignored = set && set !== max ? `MemoryMax=${set.value} is not a size systemd reads (it does not unquote), so it is ignored: ` : ''
    out.push(finding('memory.unlimited', 'warning', `${ignored}MemoryMax=infinity: QM may use all memory, and only the OOM killer protects the host`, set?.file))
  }
  return out
}

const setting = (unit: EffectiveUnit, section: string, key: string): Setting | undefined => {
  const k = unit.find(section, key)
  return k === undefined ? undefined : k.kind === 'scalar' ? k.value : (k.items.at(-1) ?? k.reset)
}
/** A [Service] single-value key as systemd applies it: the last assignment its parser accepts. */
const systemdSetting = (unit: EffectiveUnit, key: string, valid: (v: string) => boolean): Setting | undefined => {
  const k = unit.find('Service', key)
  return k?.kind === 'scalar' ? systemdEffective([...k.overridden, k.value], valid) : undefined
}
const items = (unit: EffectiveUnit, key: string): Setting[] => {
  const k = unit.find('Container', key)
  return k === undefined ? [] : k.kind === 'scalar' ? [k.value] : k.items
}

/** The unit's Environment= (qm.container's ROOTFS, RWETCFS, RWVARFS), which systemd expands ${NAME} from. */
function environment(unit: EffectiveUnit): Record<string, string> {
  return Object.fromEntries(unit.list('Service', 'Environment').filter((e) => e.includes('=')).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]))
}

/** Directories of systemd drop-ins that apply to qm.service on the host. */
const QM_SERVICE_DROPIN_DIRS = SYSTEM_UNIT_DIRS.flatMap((d) => [`${d}/service.d`, `${d}/qm.service.d`])

/** Raw keys read through the same policy render uses (host paths, devices, podman options, annotations). */
const POLICY_KEYS = ['Network', 'Volume', 'AddDevice', 'Mount', 'Annotation', 'Unmask', 'GlobalArgs', 'ContainersConfModule', 'SecurityLabelType', 'Rootfs', 'Ulimit']

/** The same settings render refuses without allow_unsafe, found in the built tree's effective qm.container. */
function isolation(facts: Facts): Finding[] {
  const { report, quadlet: model, host } = facts
  if (!report.quadlet.unit) return []
  const u = model.effective
  const hits: [UnsafeId, string, string | undefined][] = []
  const drops = items(u, 'DropCapability').map((s) => normaliseCapability(s.value))
  const adds = items(u, 'AddCapability')
  const all = adds.some((s) => s.value.toLowerCase() === 'all')
  for (const cap of QM_DROPPED_CAPABILITIES) {
    const granted = !drops.includes(cap) && (all || adds.some((s) => normaliseCapability(s.value) === cap))
    const by = u.find('Container', 'DropCapability')
    if (granted) hits.push([`capability.${cap}`, `QM has CAP_${cap.toUpperCase()}`, by?.kind !== 'scalar' && by?.reset ? by.reset.file : adds.at(-1)?.file])
  }
  const ctx: RawContext = { ...qmContext(0), env: environment(u), profile: (path) => host.text(path) }
  const podmanArgs = items(u, 'PodmanArgs')
  for (const h of classifyPodmanArgs(podmanArgs.map((a) => a.value), ctx)) {
    if (h.kind === 'unsafe') hits.push([h.id, h.detail, podmanArgs.find((a) => h.detail.includes(a.value))?.file ?? podmanArgs.at(-1)?.file])
  }
  for (const key of POLICY_KEYS) {
    for (const item of items(u, key)) {
      for (const h of classifyEntry('Container', key, item.value, ctx)) if (h.kind === 'unsafe') hits.push([h.id, h.detail, item.file])
    }
  }
  // [Service] keys systemd applies to qm.service on the host (its OOM score is judged below)
  for (const k of u.keys.filter((k) => k.section === 'Service' && k.key !== 'OOMScoreAdjust')) {
    for (const item of k.kind === 'scalar' ? [k.value] : k.items) {
      for (const h of classifyEntry('Service', k.key, item.value, ctx)) if (h.kind === 'unsafe') hits.push([h.id, h.detail, `${item.file}${item.line ? `:${item.line}` : ''}`])
    }
  }
  // systemd drop-ins of qm.service itself (qm.service.d/, service.d/ for every service) set its [Service] on the host
  for (const file of QM_SERVICE_DROPIN_DIRS.flatMap((d) => (host.list(d) ?? []).filter((n) => n.endsWith('.conf')).map((n) => `${d}/${n}`))) {
    for (const e of parseUnit(host.text(file) ?? '', file, 'systemd').entries.filter((e) => e.section === 'Service')) {
      if (e.key === 'OOMScoreAdjust') {
        // systemd ignores a value it cannot parse (a quoted one included): only a valid score overrides qm.service's
        if (e.value !== '' && validOomScore(e.value) && !(Number(e.value) > 0)) hits.push(['oom.qm_not_positive', `${file}: OOMScoreAdjust=${e.value} overrides qm.service's`, `${file}:${e.line}`])
        continue
      }
      for (const h of classifyEntry('Service', e.key, e.value, ctx)) if (h.kind === 'unsafe') hits.push([h.id, `qm.service: ${h.detail}`, `${file}:${e.line}`])
    }
  }
  const labelOff = setting(u, 'Container', 'SecurityLabelDisable')
  if (labelOff && quadletBoolean(labelOff.value, facts.unquote)) hits.push(['selinux.label_disable', `SecurityLabelDisable=${labelOff.value}`, labelOff.file])
  const seccomp = setting(u, 'Container', 'SeccompProfile')
  const profile = seccomp === undefined ? undefined : quadletLookup(seccomp.value, facts.unquote)
  const byPath = profile === undefined ? 'seccomp.default' : seccompPathId(profile)
  if (byPath) hits.push([byPath, `SeccompProfile=${profile ?? '(none)'}: ${byPath === 'seccomp.default' ? "podman's default profile" : 'no filter'}`, seccomp?.file ?? report.quadlet.unit])
  else if (profile !== undefined) {
    // a profile in the tree is read and classified as render classifies seccomp_source
    const path = canonicalHostPath(profile)
    const text = host.text(path)
    const c = text === undefined ? undefined : classifyProfile(text)
    if (c === 'unconfined' || c === 'realtime') hits.push([PROFILE_IDS[c], `SeccompProfile=${profile}: the profile ${c === 'unconfined' ? 'allows every syscall by default' : 'allows realtime scheduling'}`, path])
  }
  // anything but a true spelling writes --read-only=false
  const readOnly = setting(u, 'Container', 'ReadOnly')
  if (report.imageMode && readOnly && !quadletBoolean(readOnly.value, facts.unquote)) hits.push(['read_only.off', `ReadOnly=${readOnly.value} (read as false) on an image-mode host`, readOnly.file])
  for (const p of items(u, 'PublishPort')) {
    const port = parsePublishPort(p.value)
    if (!('problem' in port) && port.hostIp === undefined) hits.push(['publish_port.all_interfaces', `PublishPort=${p.value}`, p.file])
  }
  const oomSet = setting(u, 'Service', 'OOMScoreAdjust')
  const oom = systemdSetting(u, 'OOMScoreAdjust', validOomScore)
  const qmScore = oom ? Number(oom.value) : 0
  const oomText = oom ? oom.value : oomSet ? `${oomSet.value} (systemd refuses it, so 0)` : '(none)'
  if (qmScore <= 0) hits.push(['oom.qm_not_positive', `OOMScoreAdjust=${oomText}`, oomSet?.file ?? report.quadlet.unit])
  const containers = report.inside.containersConf.oomScoreAdj
  if (containers && Number(containers.value) < qmScore) hits.push(['oom.containers_below_qm', `oom_score_adj = ${containers.value} < QM's ${qmScore}`, containers.file])
  for (const n of report.inside.nested) {
    if (n.oomScoreAdjust && Number(n.oomScoreAdjust.value) < qmScore) hits.push(['oom.nested_below_qm', `${n.name}: OOMScoreAdjust=${n.oomScoreAdjust.value} < QM's ${qmScore}`, n.oomScoreAdjust.file])
  }
  hits.push(...nestedHits(facts.inside, qmScore))
  hits.push(...containersConfHits(facts.inside, qmScore))
  return hits.map(([id, what, file]) => finding(id, 'error', `${what}: ${UNSAFE[id]}`, file))
}

/** Each nested Quadlet's raw keys through the policy render applies to nested entries (OOM scores are reported above). */
function nestedHits(inside: Facts['inside'], qmScore: number): [UnsafeId, string, string | undefined][] {
  const hits: [UnsafeId, string, string | undefined][] = []
  for (const { name, files } of inside.nestedUnits) {
    const entries = files.filter((f) => !f.rejected).flatMap((f) => f.entries)
    // a .container's OOM score is judged with the nested report above
    const judged = !files[0]?.file.endsWith('.container') ? entries : entries.filter((e) => !(e.section === 'Service' && e.key === 'OOMScoreAdjust'))
    const ctx = nestedContext(qmScore, serviceEnvironment(entries), IN_QM.nestedQuadletDir, inside.text)
    for (const { entry: e, hit: h } of classifyQuadletEntries(judged, ctx)) if (h.kind === 'unsafe') hits.push([h.id, `${name}: ${h.detail}`, `${inside.where(e.file)}:${e.line}`])
  }
  return hits
}

/** Every containers.conf key QM's podman reads, through the table render applies to drop-ins (the OOM score is judged above). */
function containersConfHits(inside: Facts['inside'], qmScore: number): [UnsafeId, string, string | undefined][] {
  const ctx = nestedContext(qmScore, undefined, '/', inside.text)
  return inside.confDocs.flatMap(({ file, doc }) =>
    containersConfEntries(doc)
      .filter(([key]) => key !== 'containers.oom_score_adj')
      .flatMap(([key, value]) => classifyContainersConfKey(key, value, ctx))
      .flatMap((h): [UnsafeId, string, string | undefined][] => (h.kind === 'unsafe' ? [[h.id, h.detail, file]] : [])),
  )
}

/** A weakening the config accepted with a reason (recorded in a qm.container drop-in) is a warning, not an error. */
function accepted({ quadlet }: Facts, all: Finding[]): Finding[] {
  return all.map((f) => {
    const why = f.id in UNSAFE && f.severity === 'error' ? quadlet.reasons.get(f.id) : undefined
    return why ? { ...f, severity: 'warning', message: `${f.message} (accepted: ${why.reason})` } : f
  })
}

/**
 * The OOM order QM relies on: nested containers above QM, QM above 0, the host's own
 * (ASIL) services below 0, as DefaultOOMScoreAdjust in systemd's manager config sets it.
 */
function hostOom({ report, host }: Facts): Finding[] {
  if (!report.placement.rootfs.present) return []
  const files = ['/usr/lib/systemd/system.conf.d', '/etc/systemd/system.conf.d']
    .flatMap((d) => (host.list(d) ?? []).filter((n) => n.endsWith('.conf')).map((n) => `${d}/${n}`))
    .sort((a, b) => (a.split('/').at(-1)! < b.split('/').at(-1)! ? -1 : 1))
  const manager = mergeUnits(['/etc/systemd/system.conf', ...files].filter((f) => loads(host, f)).map((f) => parseUnit(host.text(f) ?? '', f, 'systemd')))
  const value = manager.get('Manager', 'DefaultOOMScoreAdjust')
  if (value !== undefined && Number(value) < 0) return []
  return [
    finding(
      'oom.host_not_protected',
      'warning',
      `the host's services run at OOM score ${value ?? 0}: safety (ASIL) processes should be below 0 (DefaultOOMScoreAdjust=-1000 in a system.conf.d drop-in)`,
      setting(manager, 'Manager', 'DefaultOOMScoreAdjust')?.file,
    ),
  ]
}

function inside({ report: r, inside: model, host, quadlet: q, qm }: Facts): Finding[] {
  const out: Finding[] = []
  const targets = r.quadlet.unit ? items(q.effective, 'Volume').map((v) => volumeTarget(v.value)) : []
  if (r.placement.rootfs.present && r.inside.containersConf.files.length === 0) {
    out.push(finding('containers_conf.missing', 'warning', 'QM has no containers.conf: nested containers get podman\'s defaults (OOM score, network, subnet)'))
  }
  for (const u of model.unreadable) out.push(finding('config.unreadable', 'error', `cannot be parsed: ${u.message}`, u.file))
  // a qm.container volume from outside QM's own trees, over a file qm-stage writes in QM (or a directory above one), replaces it
  if (r.quadlet.unit) {
    const qmConfig = [IN_QM.containersConf, IN_QM.nestedQuadletDir, IN_QM.selinuxContainerContexts, '/etc/selinux', IN_QM.bluechiDropinDir, IN_QM.imageStore, IN_QM.subuid, IN_QM.subgid]
    const env = environment(q.effective)
    for (const v of items(q.effective, 'Volume')) {
      const read = readSource(splitVolume(v.value).source, { scope: 'qm', unitDir: QM.quadletDir, env })
      if (read.kind !== 'host' || [QM.etc, QM.var, QM.varTmp, QM.rootfs].some((own) => read.path === own || read.path.startsWith(`${own}/`))) continue
      const target = canonicalHostPath(volumeTarget(v.value))
      const hidden = qmConfig.find((c) => c === target || c.startsWith(`${target === '/' ? '' : target}/`) || target.startsWith(`${c}/`))
      if (hidden) out.push(finding('volume.over_qm_config', 'error', `Volume=${v.value} mounts a host directory over ${hidden} in QM, which qm-stage writes (QM's podman, Quadlet, BlueChi or SELinux configuration): the host's copy replaces it`, v.file))
    }
  }
  // a service name taken twice inside QM: by one of QM's own units, or by two Quadlets
  // the first unit that generates each service, looked up rather than searched for among every earlier one
  const firstOf = new Map<string, (typeof model.services)[number]>()
  for (const o of model.services) if (!firstOf.has(o.service)) firstOf.set(o.service, o)
  model.services.forEach((current) => {
    const { service, file } = current
    const found = firstOf.get(service)
    const first = found === current ? undefined : found
    const owner = takenBy(service)
    if (first) out.push(finding('nested.unit_twice', 'error', `${file} generates ${service}, as ${first.file} does: systemd loads only one of them`, file))
    else if (owner) out.push(finding('nested.unit_taken', 'error', `${file} generates ${service}, a unit QM already has: ${owner.by}`, file))
  })
  // what a skipped skopeo stage would have filled is not materialised, not missing (notMaterialised says so once)
  const skipped = skippedImages({ report: r })
  for (const store of model.missingStores.filter((s) => !skipped.stores.has(s))) {
    out.push(finding('storage.image_store_missing', 'error', `storage.conf lists the image store ${store}, which does not exist: podman inside QM fails (containers/qm#406)`, r.inside.storage.file))
  }
  for (const n of r.inside.nested) {
    if (n.image && !n.imageEmbedded && !skipped.images.has(normaliseImageRef(n.image.value))) {
      const never = n.pull === 'never'
      out.push(
        finding('nested.image_not_embedded', never ? 'error' : 'warning', `${n.name} runs ${n.image.value}, which is not in QM's image stores${never ? ' and Pull=never: it cannot start' : ': it is pulled at runtime'}`, n.file),
      )
    }
    for (const v of r.quadlet.unit ? (n.volumes ?? []) : []) {
      const source = bindSource(v.value)
      const why = source && notFromHost(source, targets, (p) => qm.exists(p))
      if (why) out.push(finding('nested.mount_not_from_host', 'warning', `${n.name}: Volume=${v.value}: ${why}`, `${v.file}${v.line ? `:${v.line}` : ''}`))
    }
    for (const copy of n.shadowed) {
      if (host.text(copy) !== host.text(n.file)) out.push(finding('nested.shadowed', 'info', `${copy} differs from ${n.file}, which QM reads at runtime`, copy))
    }
  }
  return out
}

function bluechi({ report: r, quadlet: model }: Facts): Finding[] {
  const b = r.bluechi
  if (b.files.length === 0) return b.enabled ? [finding('bluechi.no_config', 'error', 'the BlueChi agent is enabled in QM but has no agent.conf')] : []
  const out: Finding[] = []
  if (!b.nodeName) out.push(finding('bluechi.node_name_missing', 'error', "QM's BlueChi agent has no NodeName", b.files.at(-1)))
  else if (!b.nodeName.value.startsWith('qm.')) {
    out.push(finding('bluechi.node_name_prefix', 'info', `NodeName=${b.nodeName.value} has no qm. prefix: the controller's AllowedNodeNames (and any [node ...] section with RequiredSelinuxContext=qm_bluechi_agent_t) must name it as it is`, b.nodeName.file))
  }
  const socket = b.controllerAddress?.value.match(/^unix:path=(\S+)/)?.[1]
  if (socket && r.quadlet.unit) {
    const shared = model.effective.list('Container', 'Volume').some((v) => {
      const target = v.split(':')[1] ?? ''
      return target === socket || socket.startsWith(`${target.replace(/\/$/, '')}/`)
    })
    if (!shared) out.push(finding('bluechi.socket_not_shared', 'warning', `the agent talks to ${socket}, but no qm.container Volume= brings that socket into QM`, b.controllerAddress!.file))
  }
  return out
}

function selinux({ report: r, hasLabels }: Facts): Finding[] {
  const s = r.selinux
  const out: Finding[] = []
  if (!s.modulePackage && !s.moduleStore) out.push(finding('selinux.module_missing', 'error', 'neither the qm SELinux module package nor the module in a policy store is in the tree: qm_t is unknown'))
  else if (!s.moduleStore) out.push(finding('selinux.module_not_installed', 'warning', `${s.modulePackage} is present but not installed in the policy store (the qm rpm's %post does that)`))
  if (hasLabels) {
    for (const l of s.labels) {
      if (!l.label.includes(':qm_file_t:')) out.push(finding('selinux.no_labelling', 'error', `${l.path} is labelled ${l.label}, not qm_file_t: ${UNSAFE['selinux.no_labelling']}`, l.path))
    }
    if (s.labels.length === 0 && r.placement.rootfs.present) out.push(finding('selinux.no_labelling', 'error', `QM's trees carry no SELinux label: ${UNSAFE['selinux.no_labelling']}`))
  } else {
    out.push(finding('selinux.labels_unknown', 'info', 'this input records no SELinux labels (a directory, or a tar made without --xattrs): labels not checked'))
  }
  return out
}

/**
 * The id ranges nested containers map to: QM's podman takes them from its own /etc/subuid and
 * /etc/subgid (the containers line), and the host must hold the same range for QM (upstream's
 * qmcontainers line) so that host containers never get those ids. osbuild writes these files
 * whole, so a stage that ran later can have replaced qm-stage's lines.
 */
function subids({ report: r }: Facts): Finding[] {
  if (!r.placement.rootfs.present) return []
  const out: Finding[] = []
  r.subids.qm.forEach((qm, i) => {
    const range = rangeOf(qm.lines, NESTED_RANGE_OWNER)
    if (!range) {
      out.push(finding('subids.qm_missing', 'warning', `${qm.path} has no ${NESTED_RANGE_OWNER}: line: podman inside QM has no id range for nested containers (upstream: ${NESTED_RANGE_OWNER}:1000000000:1500000000)`, qm.path))
      return
    }
    const host = r.subids.host[i]!
    if (!reserved(host.lines, range)) {
      out.push(
        finding('subids.host_missing', 'warning', `${host.path} holds no range covering QM's nested-container ids ${range[0]}-${range[0] + range[1] - 1} (upstream: qmcontainers:1000000000:1500000000): the host may give the same ids to its own containers`, host.path),
      )
    }
  })
  return out
}

/** What the chosen podman's generators make of the Quadlet files: refused units, drop-ins they never read. */
function units({ report: { units: u } }: Facts): Finding[] {
  const out: Finding[] = []
  const reads =
    u.verified === '4.9.5' ? 'reads no drop-ins at all' : u.verified === '5.0.3' ? 'reads only <name>.container.d/, not container.d/ or the dash-prefix directories' : ''
  for (const [where, list] of [['host', u.host], ['nested', u.nested]] as const) {
    for (const g of list) {
      const who = where === 'host' ? `the host's podman ${u.podman}` : `podman ${u.podman} inside QM`
      for (const file of g.ignoredDropins) {
        out.push(finding('quadlet.dropin_ignored', 'warning', `${who} ${reads}: this drop-in of ${g.name} has no effect, silently`, file))
      }
      if (g.errors.length) {
        const what = where === 'host' ? 'qm.service is not generated and QM does not start' : `${g.service} is not generated`
        out.push(finding(where === 'host' ? 'quadlet.refused' : 'nested.refused', 'error', `${who}'s Quadlet refuses ${g.name}: ${g.errors.join('; ')}: ${what}`, g.file))
      }
      if (g.notModelled.length) {
        out.push(finding('units.not_modelled', 'info', `${g.name} sets ${g.notModelled.join(', ')}, which qm-stage does not translate: its generated unit may differ from Quadlet's`, g.file))
      }
    }
  }
  return out
}
