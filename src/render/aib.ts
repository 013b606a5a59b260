// The automotive-image-builder (AIB) manifest fragment: the qm-stage config said in AIB's own
// keys. AIB builds QM itself (its qm rpm, base packages, placement, labels, storage.conf, the
// resources drop-in 10-automotive.conf); the fragment adds only what qm-stage does on top, as
// qm.content for the QM tree and top-level content for the host.
import { isAbsolute, relative, resolve } from 'node:path'
import { embeddedImages } from '../config/derive.ts'
import type { QmConfig } from '../config/types.ts'
import type { FileSpec } from '../manifest/files.ts'
import { UPSTREAM_CONTAINERS_CONF } from '../qm/containers-conf.ts'
import { aibBasePackages, bluechiOptions, dropinOptions, tmpfilesLines } from './plan.ts'
import * as hostDropins from '../../stages/host-dropins.ts'
import * as hostOom from '../../stages/host-oom.ts'
import * as hostTmpfiles from '../../stages/host-tmpfiles.ts'
import { QM } from '../qm/paths.ts'
import * as qmBluechi from '../../stages/qm-bluechi.ts'
import * as qmContainersConf from '../../stages/qm-containers-conf.ts'
import * as qmNested from '../../stages/qm-nested.ts'
import * as subids from '../../stages/subids.ts'

/** A value, or a JSON-like tree of them, as it goes into the manifest. */
export type AibValue = string | number | boolean | AibValue[] | { [key: string]: AibValue }

/**
 * One thing the fragment writes: a key (`key` undefined: the value at `path`), or an item of
 * the list at `path` that `key` identifies (a path, a package name, a repo id).
 */
export interface AibEntry {
  path: string[]
  key?: string
  value: AibValue
}

/** What AIB writes itself when QM is on, so the fragment never repeats or overrides it. */
export const AIB = {
  /** host /etc/subuid and /etc/subgid lines (AIB writes them after the manifest's content) */
  hostSubids: ['qmcontainers:1000000000:1500000000', 'containers:2500000000:1500000000'],
  qmSubids: ['containers:1000000000:1500000000'],
  /** its qm.container drop-in: MemoryMax, MemoryHigh, CPUWeight (and ReadOnly=false in package mode) */
  resourcesDropin: '/usr/share/containers/systemd/qm.container.d/10-automotive.conf',
  policy: 'targeted',
} as const

/** Each key of the identity of a list item, by the list's last path segment. */
const IDENTITY: Record<string, (v: AibValue) => string> = {
  add_files: (v) => String((v as Record<string, AibValue>).path),
  make_dirs: (v) => String((v as Record<string, AibValue>).path),
  chmod_files: (v) => String((v as Record<string, AibValue>).path),
  chown_files: (v) => String((v as Record<string, AibValue>).path),
  remove_files: (v) => String((v as Record<string, AibValue>).path),
  add_symlinks: (v) => String((v as Record<string, AibValue>).link),
  repos: (v) => String((v as Record<string, AibValue>).id),
  container_images: (v) => {
    const i = v as Record<string, AibValue>
    return String(i.name ?? `${String(i.source)}:${String(i.tag ?? 'latest')}`)
  },
}

/** The identity of an item of the list `list` (its last path segment); plain strings are their own. */
export function identityOf(list: string, value: AibValue): string {
  const id = IDENTITY[list]
  return id ? id(value) : String(value)
}

export interface AibOptions {
  /** the config's file, which its relative source paths are relative to */
  configFile: string
  /** the directory of the manifest the fragment goes into: AIB reads source paths relative to it */
  manifestDir: string
}

/** The fragment as entries, in the order they are written, plus what the user should know. */
export function aibEntries(config: QmConfig, o: AibOptions): { entries: AibEntry[]; notes: string[] } {
  const entries: AibEntry[] = []
  const notes: string[] = []
  const item = (path: string[], value: AibValue) => entries.push({ path, key: identityOf(path.at(-1)!, value), value })
  const content = (list: string) => ['qm', 'content', list]
  const c = config.content

  // the QM tree: packages and repos on top of AIB's base set
  const base = new Set(aibBasePackages(config))
  const packages = [...(config.rootfs.base_packages ?? []), ...(config.bluechi.enabled ? ['bluechi-agent'] : []), ...config.rootfs.packages, ...c.rpms]
  for (const p of new Set(packages)) if (!base.has(p)) item(content('rpms'), p)
  for (const r of c.enable_repos) item(content('enable_repos'), r)
  for (const r of [...config.rootfs.repos, ...c.repos]) item(content('repos'), { ...r })
  for (const { image } of embeddedImages(config)) {
    const out: Record<string, AibValue> = { source: image.source }
    if (image.tag !== undefined) out.tag = image.tag
    if (image.digest !== undefined) out.digest = image.digest
    // AIB's default name is source:tag with tag latest, as qm-stage's
    if (image.name !== undefined) out.name = image.name
    if (image['containers-transport'] !== undefined) out['containers-transport'] = image['containers-transport']
    if (image.index) out.index = true
    item(content('container_images'), out)
  }

  // files qm-stage writes into the QM tree, then the user's own
  const qmFiles: FileSpec[] = [
    ...(sameJson(config.containers_conf, UPSTREAM_CONTAINERS_CONF) ? [] : qmContainersConf.files(config.containers_conf)),
    ...(config.bluechi.enabled ? qmBluechi.files(bluechiOptions(config)) : []),
    ...qmNested.files({ nested: config.nested.map((n) => ({ ...n, pull: n.pull ?? 'never' })) }),
    ...(sameJson(config.subids.qm, AIB.qmSubids) ? [] : subids.files({ lines: config.subids.qm })),
  ]
  for (const f of qmFiles) item(content('add_files'), textFile(f))
  c.add_files.forEach((f, i) => {
    const out: Record<string, AibValue> = { path: f.path }
    if (f.text !== undefined) out.text = f.text
    if (f.source_path !== undefined) out.source_path = rebase(f.source_path, o)
    if (f.url !== undefined) {
      out.url = f.url
      if (f.sha256 !== undefined) notes.push(`content.add_files[${i}] ${f.path}: automotive-image-builder fetches ${f.url} without checking its sha256`)
    }
    if (f.source_glob !== undefined) {
      out.source_glob = rebase(f.source_glob, o)
      if (f.preserve_path) out.preserve_path = true
      if (f.max_files !== 1000) out.max_files = f.max_files
      if (f.allow_empty) out.allow_empty = true
    }
    item(content('add_files'), out)
  })
  for (const d of c.make_dirs) item(content('make_dirs'), withoutDefaults({ ...d }, { parents: false, exist_ok: false }))
  for (const l of c.add_symlinks) item(content('add_symlinks'), { ...l })
  for (const r of c.remove_files) item(content('remove_files'), { ...r })
  for (const f of c.chmod_files) item(content('chmod_files'), withoutDefaults({ ...f }, { recursive: false }))
  for (const f of c.chown_files) item(content('chown_files'), withoutDefaults({ ...f } as Record<string, AibValue>, { recursive: false }))
  const enabled = [...(config.bluechi.enabled ? ['bluechi-agent.service'] : []), ...c.systemd.enabled_services]
  for (const s of enabled) item(['qm', 'content', 'systemd', 'enabled_services'], s)
  for (const s of c.systemd.disabled_services) item(['qm', 'content', 'systemd', 'disabled_services'], s)
  for (const s of c.systemd.masked_services) item(['qm', 'content', 'systemd', 'masked_services'], s)
  if (c.sbom) entries.push({ path: ['qm', 'content', 'sbom', 'doc_path'], value: c.sbom.doc_path })

  // AIB's own resource keys: it writes them into 10-automotive.conf; only what differs from its defaults
  if (config.memory_limit.max !== 'infinity') entries.push({ path: ['qm', 'memory_limit', 'max'], value: config.memory_limit.max })
  if (config.memory_limit.high !== 'infinity') entries.push({ path: ['qm', 'memory_limit', 'high'], value: config.memory_limit.high })
  if (config.cpu_weight !== 'idle') entries.push({ path: ['qm', 'cpu_weight'], value: config.cpu_weight })
  if (config.container_checksum) entries.push({ path: ['qm', 'container_checksum'], value: config.container_checksum })

  // the host: qm-stage's drop-ins sort after AIB's 10-automotive.conf and leave its keys alone
  const dropins = dropinOptions(config)
  const { MemoryMax: _max, MemoryHigh: _high, CPUWeight: _cpu, ...others } = dropins.resources
  const hostFiles: FileSpec[] = [
    ...hostDropins.files({ ...dropins, resources: others }),
    ...hostOom.files({ defaultOomScoreAdjust: config.host_oom_score_adjust }),
    // AIB places /var/qm itself; the BlueChi socket directory QM mounts is qm-stage's
    ...hostTmpfiles.files({ lines: tmpfilesLines(config).filter((l) => l.path !== QM.var && !l.path.startsWith(`${QM.var}/`)) }),
  ]
  for (const f of hostFiles) item(['content', 'add_files'], textFile(f))
  // the seccomp profile qm.container's drop-in names, from its source (a pipeline source is refused for AIB)
  const seccomp = config.container.seccomp_source
  if (seccomp?.source_path !== undefined) item(['content', 'add_files'], { path: config.container.seccomp_profile, source_path: rebase(seccomp.source_path, o) })
  if (seccomp?.url !== undefined) {
    item(['content', 'add_files'], { path: config.container.seccomp_profile, url: seccomp.url })
    notes.push(`container.seccomp_source: automotive-image-builder fetches ${seccomp.url} without checking its sha256`)
  }

  // no policy in the config: AIB's distro decides (automotive on AutoSD and RHIVOS)
  if (config.policy !== undefined && config.policy !== AIB.policy) entries.push({ path: ['image', 'selinux_policy'], value: config.policy })
  // AIB writes its two host lines itself; more lines go through its extra_subuid/extra_subgid
  const extra = config.subids.host.slice(AIB.hostSubids.length)
  if (extra.length > 0) {
    for (const v of ['extra_subuid', 'extra_subgid']) entries.push({ path: ['experimental', 'internal_defines', v], value: extra.join('\n') })
  }
  return { entries, notes }
}

/** A file qm-stage generates, as AIB's inline add_files entry. */
function textFile(f: FileSpec): Record<string, AibValue> {
  if (!('content' in f) || typeof f.content !== 'string') throw new Error(`${f.path}: an AIB fragment carries generated files as text`)
  return { path: f.path, text: f.content }
}

/** A source path relative to the config, made relative to the manifest's directory (AIB's base). */
function rebase(path: string, o: AibOptions): string {
  if (isAbsolute(path)) return path
  const full = resolve(o.configFile === '<defaults>' || o.configFile === '<stdin>' ? '.' : resolve(o.configFile, '..'), path)
  return relative(resolve(o.manifestDir), full) || '.'
}

function withoutDefaults<T extends Record<string, unknown>>(value: T, defaults: Record<string, unknown>): Record<string, AibValue> {
  return Object.fromEntries(Object.entries(value).filter(([k, v]) => v !== undefined && defaults[k] !== v)) as Record<string, AibValue>
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
