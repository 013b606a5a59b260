import { parse as parseToml } from 'smol-toml'
import { normaliseImageRef } from '../config/derive.ts'
import { QM } from '../qm/paths.ts'
import { mergeUnits, type EffectiveUnit, type Setting } from '../units/merge.ts'
import { parseUnit, type UnitFile } from '../units/parse.ts'
import { quadletLookup, systemdEffective, validOomScore, type Unquote } from '../units/lookup.ts'
import { dropinDirNames } from '../units/unit-dirs.ts'
import { packed } from '../packed.ts'
import { MAIN_SECTION, quadletServiceName } from '../units/names.ts'

const QM_UNIT_DIRS = ['/etc/systemd/system', '/usr/lib/systemd/system']

const isQuadletFile = (name: string) => quadletServiceName(name) !== undefined
import type { NestedQuadlet, Report, Sourced } from './report.ts'
import { loads, quadletFile, quadletList, quadletMerged, quadletsOf, type TreeView } from './view.ts'

type Toml = Record<string, unknown>

export interface InsideModel {
  report: Report['inside']
  /** files that are not valid TOML, with the parser's words */
  unreadable: { file: string; message: string }[]
  /** image stores storage.conf lists that do not exist in the tree */
  missingStores: string[]
  /** the files of each nested Quadlet as Quadlet reads them, for the isolation policy (named by their paths in QM: `where` places them in the tree) */
  nestedUnits: { name: string; files: UnitFile[] }[]
  /** a file's text in QM's namespace (a seccomp profile a nested unit names) */
  text: (path: string) => string | undefined
  /** where a path of QM's namespace is in the tree */
  where: (path: string) => string
  /** the service each Quadlet in QM generates (ServiceName= as this podman reads it), with its file */
  services: { service: string; file: string }[]
  /** every containers.conf file QM's podman reads, parsed, for the isolation policy */
  confDocs: { file: string; doc: Record<string, unknown> }[]
}

/** containers.conf drop-in directories of QM's rootful podman, in the order it reads them (a later name wins). */
const CONF_DIRS = [
  '/usr/share/containers/containers.conf.d', '/usr/share/containers/containers.rootful.conf.d',
  '/etc/containers/containers.conf.d', '/etc/containers/containers.rootful.conf.d',
]

/** containers.conf drop-in directories of rootless podman inside QM. */
const ROOTLESS_CONF_DIRS = ['/usr/share/containers/containers.rootless.conf.d', '/etc/containers/containers.rootless.conf.d']

/** What QM's own podman sees, all paths in QM's namespace. */
export function insideModel(qm: TreeView, unquote: Unquote): InsideModel {
  const unreadable: InsideModel['unreadable'] = []
  const toml = (path: string): Toml | undefined => {
    const text = qm.text(path)
    if (text === undefined) return undefined
    try {
      return parseToml(text) as Toml
    } catch (e) {
      unreadable.push({ file: qm.where(path), message: (e as Error).message.split('\n')[0]! })
      return undefined
    }
  }

  // containers.conf: the vendor file, the admin file, then drop-ins by name (/etc wins a name)
  const dropins = new Map<string, string>()
  for (const dir of CONF_DIRS) {
    for (const name of qm.list(dir) ?? []) if (name.endsWith('.conf')) dropins.set(name, `${dir}/${name}`)
  }
  const confFiles = ['/usr/share/containers/containers.conf', '/etc/containers/containers.conf', ...[...dropins.keys()].sort().map((n) => dropins.get(n)!)].filter((p) =>
    loads(qm, p),
  )
  let oomScoreAdj: Sourced | undefined
  const confDocs: InsideModel['confDocs'] = []
  for (const path of confFiles) {
    const doc = toml(path)
    if (doc) confDocs.push({ file: qm.where(path), doc })
    const value = (doc?.containers as Toml | undefined)?.oom_score_adj
    if (value !== undefined) oomScoreAdj = { value: String(value), file: qm.where(path), ...lineOf(qm.text(path)!, 'oom_score_adj') }
  }
  // QM's users run rootless podman with these too: classified, outside the rootful OOM chain above
  const rootless = ['/etc/containers/containers.rootless.conf', ...ROOTLESS_CONF_DIRS.flatMap((d) => (qm.list(d) ?? []).filter((n) => n.endsWith('.conf')).map((n) => `${d}/${n}`))]
  for (const path of rootless.filter((p) => loads(qm, p))) {
    const doc = toml(path)
    if (doc) confDocs.push({ file: qm.where(path), doc })
  }

  // storage.conf: containers/storage reads the first that exists
  const storagePath = ['/etc/containers/storage.conf', '/usr/share/containers/storage.conf'].find((p) => qm.exists(p))
  const storage = (storagePath ? toml(storagePath)?.storage : undefined) as Toml | undefined
  const imageStores = (((storage?.options as Toml | undefined)?.additionalimagestores as unknown[] | undefined) ?? []).map(String)
  const graphroot = typeof storage?.graphroot === 'string' ? storage.graphroot : '/var/lib/containers/storage'
  const embeddedImages = [...imageStores, graphroot].flatMap((store) => imageNames(qm, store, unreadable))

  const nestedUnits: InsideModel['nestedUnits'] = []
  const services: InsideModel['services'] = []
  return {
    unreadable,
    nestedUnits,
    services,
    confDocs,
    text: (path) => qm.text(path),
    where: (path) => qm.where(path),
    // a store counts when its directory or its image list is in the index
    missingStores: imageStores.filter((s) => qm.list(s) === undefined && qm.read(`${s}/overlay-images/images.json`) === undefined),
    report: {
      containersConf: { files: confFiles.map((p) => qm.where(p)), ...(oomScoreAdj ? { oomScoreAdj } : {}) },
      storage: {
        ...(storagePath ? { file: qm.where(storagePath) } : {}),
        imageStores,
        ...(typeof storage?.transient_store === 'boolean' ? { transientStore: storage.transient_store } : {}),
      },
      embeddedImages,
      nested: nested(qm, embeddedImages, nestedUnits, unquote, services),
    },
  }
}

const lineOf = (text: string, key: string) => {
  const index = text.split('\n').findIndex((l) => new RegExp(`^\\s*${key}\\s*=`).test(l))
  return index < 0 ? {} : { line: index + 1 }
}

/** Names of the images in a containers-storage store (its overlay-images/images.json). */
function imageNames(qm: TreeView, store: string, unreadable: InsideModel['unreadable']): string[] {
  const path = `${store}/overlay-images/images.json`
  const text = qm.text(path)
  if (text === undefined) return []
  try {
    return (JSON.parse(text) as { names?: string[] }[]).flatMap((i) => i.names ?? [])
  } catch (e) {
    unreadable.push({ file: qm.where(path), message: (e as Error).message })
    return []
  }
}

/** Every Quadlet .container QM's generator finds, with the settings that matter for QM. */
function nested(qm: TreeView, embedded: string[], units: InsideModel['nestedUnits'], unquote: Unquote, services: InsideModel['services']): NestedQuadlet[] {
  const quadlets = quadletsOf(qm)
  const named = (keep: (name: string) => boolean) => [...new Set(quadlets.dirs.flatMap((dir) => [...quadlets.files(dir)].filter(keep)))].sort()
  const known = new Set(embedded.map(normaliseImageRef))
  const { find } = quadlets
  const inTree = (s: Setting): Sourced => ({ value: s.value, file: qm.where(s.file), line: s.line })
  // the other kinds (.pod, .kube, .volume, .network, .image, .build, .artifact) get the same policy
  for (const name of named((n) => isQuadletFile(n) && !n.endsWith('.container'))) {
    const found = find(name)
    units.push({ name, files: [found.unit!, ...found.dropins].map((p) => quadletFile(qm, p)) })
  }
  const mergedOf = new Map<InsideModel['nestedUnits'][number], EffectiveUnit>()
  const out = named((n) => n.endsWith('.container')).map((name) => {
    const found = find(name)
    const paths = [found.unit!, ...found.dropins]
    const files = packed(paths, (p) => quadletFile(qm, p))
    const unit = quadletMerged(qm, paths)
    const entry = { name: name.replace(/\.container$/, ''), files }
    units.push(entry)
    mergedOf.set(entry, unit)
    // Image= and Pull= as this podman's Quadlet unquotes them; OOMScoreAdjust= as systemd takes it (no unquoting)
    const imageKey = unit.find('Container', 'Image')
    const image = imageKey?.kind === 'scalar' ? { ...imageKey.value, value: quadletLookup(imageKey.value.value, unquote) } : undefined
    const oomKey = unit.find('Service', 'OOMScoreAdjust')
    const oom = oomKey?.kind === 'scalar' ? systemdEffective([...oomKey.overridden, oomKey.value], validOomScore) : undefined
    const pullRaw = unit.get('Container', 'Pull')
    const pull = pullRaw === undefined ? undefined : quadletLookup(pullRaw, unquote)
    const volumes = unit.find('Container', 'Volume')
    const volumeItems = volumes === undefined ? [] : volumes.kind === 'scalar' ? [volumes.value] : volumes.items
    // the rootfs's own copy under /etc is hidden at runtime by the /etc/qm mount
    const hidden = found.unit!.startsWith('/etc/') ? `${QM.rootfs}${found.unit}` : undefined
    const shadowed = [...found.shadowed.map((p) => qm.where(p)), ...(hidden && qm.index.entries.has(hidden) ? [hidden] : [])]
    return {
      name: name.replace(/\.container$/, ''),
      file: qm.where(found.unit!),
      shadowed,
      ...(image ? { image: inTree(image), imageEmbedded: known.has(normaliseImageRef(image.value)) } : {}),
      ...(pull ? { pull } : {}),
      ...(oom ? { oomScoreAdjust: inTree(oom) } : {}),
      ...(volumeItems.length > 0 ? { volumes: volumeItems.map(inTree) } : {}),
    }
  })
  // systemd drop-ins of the services these units generate (NAME.service.d/, prefix directories, service.d/), from one
  // listing of each unit directory: only its NAME.d directories are in the index
  const listDropins = quadletList(qm)
  const dropinDirs = QM_UNIT_DIRS.map((dir) => ({ dir, present: new Set(qm.list(dir)?.filter((n) => n.endsWith('.d'))) }))
  const anyDropinDirs = dropinDirs.some((d) => d.present.size > 0)
  for (const u of [...units]) {
    const merged = mergedOf.get(u) ?? mergeUnits(u.files)
    const fileName = u.files[0] ? u.files[0].file.slice(u.files[0].file.lastIndexOf('/') + 1) : ''
    const ext = fileName.slice(fileName.lastIndexOf('.') + 1)
    const renamed = merged.get(MAIN_SECTION[ext] ?? 'Container', 'ServiceName')
    const service = renamed ? `${quadletLookup(renamed, unquote)}.service` : quadletServiceName(fileName)
    if (!service) continue
    services.push({ service, file: qm.where(u.files[0]!.file) })
    if (!anyDropinDirs) continue
    const names = dropinDirNames(service)
    const dropins = dropinDirs.flatMap(({ dir, present }) =>
      names.filter((n) => present.has(n)).flatMap((n) => (listDropins(`${dir}/${n}`) ?? []).filter((c) => c.endsWith('.conf')).map((c) => `${dir}/${n}/${c}`)),
    )
    if (dropins.length > 0) units.push({ name: `${service} (systemd drop-ins)`, files: dropins.map((p) => parseUnit(qm.text(p) ?? '', p, 'systemd')) })
  }
  return out
}
