// The user's content cannot go round the keys that generate QM's files, nor round the checks a nested
// container gets: a generated path is set only by its key (CONFLICT naming it), a file that overrides a
// generated setting from a drop-in directory names the key too, and a Quadlet file placed through content is
// read as Quadlet reads it and checked like a nested entry.
import { posix } from 'node:path'
import { parse as parseToml } from 'smol-toml'
import type { Check } from '../config/messages.ts'
import { embeddedImages, imageName, normaliseImageRef } from '../config/derive.ts'
import { NESTED_OWNED, type Found } from '../config/guard.ts'
import type { Resolved } from '../config/local-files.ts'
import type { QmConfig } from '../config/types.ts'
import { nestedContext } from '../isolation/contexts.ts'
import { canonicalHostPath, splitVolume } from '../isolation/host-paths.ts'
import { classifyQuadletEntries, serviceEnvironment } from '../isolation/quadlet-files.ts'
import { classifyEntry } from '../isolation/quadlet-keys.ts'
import { classifyContainersConfKey, containersConfEntries, CONTAINERS_CONF_FILES } from '../isolation/containers-conf.ts'
import { classifyProfile, PROFILE_IDS } from '../isolation/seccomp.ts'
import { IN_QM } from '../qm/paths.ts'
import { parseUnit, type UnitEntry } from '../units/parse.ts'
import { quadletScalar } from '../units/split.ts'
import { MAIN_SECTION, QUADLET_EXTENSIONS, quadletServiceName } from '../units/names.ts'
import { splitValue } from '../units/split.ts'
import { nestedService, unitChecks, type ContentUnits } from '../config/units.ts'
import { dropinDirNames } from '../units/unit-dirs.ts'
import { generatedPaths, type Generated } from './generated.ts'
import type { QmPart } from './plan.ts'

export interface ContentGuard {
  checks: Check[]
  found: Found[]
}

/** A containers.conf drop-in directory itself (a link there replaces every drop-in in it). */
const CONF_DIR_LINK = /^\/(etc|usr\/share)\/containers\/containers\.(conf|rootful\.conf|rootless\.conf)\.d(\/\d+)?$/

/** The BlueChi agent's own configuration files after its defaults, and the drop-in directory itself. */
const BLUECHI_AGENT_CONF = /^\/etc\/bluechi\/(agent\.conf|agent\.conf\.d(\/[^/]+\.conf)?)$/

/**
 * What podman inside QM reads for every container it runs, besides containers.conf: default bind mounts, OCI hooks
 * (programs that may change a container's mounts, devices and privileges), CDI specs (devices and mounts), and
 * the default seccomp profile.
 */
const PODMAN_IN_QM: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /^\/(etc|usr\/share)\/containers\/mounts\.conf$/, what: 'mounts' },
  { pattern: /^\/(etc|usr\/share)\/containers\/oci\/hooks\.d(\/[^/]+)?$/, what: 'hooks' },
  { pattern: /^\/(etc|run|var\/run)\/cdi(\/[^/]+)?$/, what: 'cdi' },
  { pattern: /^\/(etc|usr\/share)\/containers\/seccomp\.json$/, what: 'seccomp' },
]
const podmanInQm = (path: string) => PODMAN_IN_QM.find((f) => f.pattern.test(path))?.what

/** Where podman looks for storage.conf, the first found wins. */
const STORAGE_CONF_FILES = ['/etc/containers/storage.conf', '/usr/share/containers/storage.conf']

/** Directories Quadlet (rootful and rootless, any podman) reads units from inside QM. */
const QUADLET_ROOTS = ['/etc/containers/systemd', '/usr/share/containers/systemd', '/usr/lib/containers/systemd', '/run/containers/systemd']

const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`)
const isAncestor = (dir: string, path: string) => path.startsWith(`${dir}/`)

/** A Quadlet unit or drop-in when `path` lies in a Quadlet directory: what kind, or undefined. */
export function quadletPlace(path: string): { kind: 'unit' | 'dropin'; ext: string; dropinDir?: string } | undefined {
  if (!QUADLET_ROOTS.some((r) => isAncestor(r, path))) return undefined
  const name = posix.basename(path)
  const dir = posix.basename(posix.dirname(path))
  const ext = name.slice(name.lastIndexOf('.') + 1)
  if (dir.endsWith('.d') && name.endsWith('.conf')) {
    const unitExt = dir.slice(0, -2).slice(dir.slice(0, -2).lastIndexOf('.') + 1)
    return Object.hasOwn(QUADLET_EXTENSIONS, unitExt) ? { kind: 'dropin', ext: unitExt, dropinDir: dir } : undefined
  }
  return Object.hasOwn(QUADLET_EXTENSIONS, ext) ? { kind: 'unit', ext } : undefined
}

export function guardContent(config: QmConfig, resolved: Resolved, parts: readonly QmPart[]): ContentGuard {
  const out: ContentGuard = { checks: [], found: [] }
  const generated = generatedPaths(parts)
  const c = config.content
  const conflict = (pointer: string, message: string) => out.checks.push({ code: 'CONFLICT', message, pointer })
  const hits = (path: string, g: Generated) => (g.kind === 'tree' ? under(path, g.path) : path === g.path)
  const by = (g: Generated) => `${g.path} is generated from ${g.key}: set it there`

  const pointerOf = addFilePointers(config)
  const files = resolved.addFiles.map((f) => ({ spec: f, pointer: pointerOf(f.path) }))
  const firstHit = generatedHits(generated)
  for (const { spec, pointer } of files) {
    const g = firstHit(spec.path)
    if (g) conflict(pointer, by(g))
  }
  c.make_dirs.forEach((d, i) => {
    // a directory at a generated file, or below one (`parents` would make the file a directory)
    const g = generated.find((g) => g.kind === 'file' && (hits(d.path, g) || isAncestor(g.path, d.path)))
    if (g) conflict(`/content/make_dirs/${i}/path`, by(g))
  })
  c.add_symlinks.forEach((l, i) => {
    const pointer = `/content/add_symlinks/${i}/link`
    const g = generated.find((g) => hits(l.link, g) || isAncestor(l.link, g.path))
    if (g) return conflict(pointer, g.path === l.link ? by(g) : `the link would redirect ${g.path}, which is generated from ${g.key}`)
    // Quadlet follows links: what it would read through this one is not in the config to check
    if (quadletPlace(l.link) || QUADLET_ROOTS.some((r) => under(r, l.link) || isAncestor(r, l.link))) {
      out.found.push({ id: 'raw.unchecked', pointer, detail: `${l.link} -> ${l.target}: Quadlet reads units through this link, which qm-stage cannot check` })
    }
    // podman reads containers.conf, and systemd a generated service's drop-ins, through links just as well
    else if (CONTAINERS_CONF_FILES.test(l.link) || CONF_DIR_LINK.test(l.link)) {
      out.found.push({ id: 'raw.unchecked', pointer, detail: `${l.link} -> ${l.target}: podman reads containers.conf settings through this link, which qm-stage cannot check` })
    } else if (podmanInQm(l.link)) {
      out.found.push({ id: 'raw.unchecked', pointer, detail: `${l.link} -> ${l.target}: podman in QM reads every container's defaults (mounts, hooks, devices, seccomp) through this link, which qm-stage cannot check` })
    } else if (generated.some((g) => g.key === '/bluechi') && BLUECHI_AGENT_CONF.test(l.link)) {
      out.found.push({ id: 'raw.unchecked', pointer, detail: `${l.link} -> ${l.target}: the BlueChi agent reads its node name and controller through this link, which qm-stage cannot check` })
    } else if (STORAGE_CONF_FILES.includes(l.link) && STORAGE_CONF_FILES.indexOf(l.link) < STORAGE_CONF_FILES.indexOf(config.storage_conf.path)) {
      conflict(pointer, `${l.link} takes precedence over ${config.storage_conf.path}, which is generated from /storage_conf: podman would never read it; set storage_conf.path instead`)
    } else if (/^\/(etc|usr\/lib)\/systemd\/system\/[^/]+\.d(\/[^/]+\.conf)?$/.test(l.link)) {
      const dir = l.link.split('/')[4]!
      const applies = config.nested.some((n) => dropinDirNames(nestedService(n)).includes(dir))
      if (applies) out.found.push({ id: 'raw.unchecked', pointer, detail: `${l.link} -> ${l.target}: systemd reads a nested service's drop-ins through this link, which qm-stage cannot check` })
    }
  })
  for (const [key, list] of [['chmod_files', c.chmod_files], ['chown_files', c.chown_files]] as const) {
    list.forEach((f, i) => {
      const g = generated.find((g) => hits(f.path, g) || (f.recursive && isAncestor(f.path, g.path)))
      if (g) conflict(`/content/${key}/${i}/path`, g.path === f.path ? by(g) : `recursively changes ${g.path}, which is generated from ${g.key}: set it there`)
    })
  }

  // a volume of qm.container lands in QM's namespace: over a generated file, or a directory above one, it hides it
  config.container.volumes.forEach((v, i) => {
    const { destination } = splitVolume(v)
    if (!destination.startsWith('/')) return
    const dest = canonicalHostPath(destination)
    const g = generated.find((g) => g.path === dest || isAncestor(dest, g.path) || (g.kind === 'tree' && isAncestor(g.path, dest)))
    if (g) conflict(`/container/volumes/${i}`, `${destination} is mounted over ${g.path === dest ? '' : dest === '/' || isAncestor(dest, g.path) ? 'a directory holding ' : 'the tree of '}${g.path}, which is generated from ${g.key}: set it there, or mount elsewhere`)
  })

  const texts = new Map(files.filter((f) => 'content' in f.spec).map((f) => [f.spec.path, text(f.spec as { content: string | Uint8Array })]))
  overrides(config, files, texts, generated, out)
  for (const { spec, pointer } of files) {
    const place = quadletPlace(spec.path)
    const body0 = texts.get(spec.path)
    // /etc/environment, a systemd manager or unit drop-in ... setting CONTAINERS_CONF points podman elsewhere
    if (!place && body0 !== undefined && /\bCONTAINERS_[A-Z_]+=/.test(body0)) {
      out.found.push({ id: 'raw.unchecked', pointer, detail: `${spec.path} sets ${/\bCONTAINERS_[A-Z_]+/.exec(body0)![0]}: podman inside QM would take its configuration from a file qm-stage does not check` })
    }
    if (!place) continue
    const body = texts.get(spec.path)
    if (body === undefined) {
      out.found.push({ id: 'raw.unchecked', pointer, detail: `${spec.path}: a Quadlet file whose content qm-stage cannot read (it comes from a url or pipeline)` })
      continue
    }
    quadletFile(config, spec.path, body, place, pointer, (p) => texts.get(p), out)
  }
  seccompContent(config, resolved, out)
  const units = contentUnits(config, files, texts)
  out.checks.push(...unitChecks(config, units))
  serviceDropins(config, files, texts, units, out)
  return out
}

/**
 * A systemd drop-in placed in a unit directory (NAME.service.d/, a prefix directory such as app-.service.d/, or
 * service.d/ for every service) that applies to a unit generated from a Quadlet changes that unit's [Service]:
 * it gets the checks the Quadlet's own [Service] keys get, and may not set what a nested entry owns.
 */
function serviceDropins(config: QmConfig, files: { spec: { path: string }; pointer: string }[], texts: Map<string, string>, units: ContentUnits, out: ContentGuard) {
  // systemd reads the drop-ins of every name of a unit, its aliases included
  const aliases = (n: QmConfig['nested'][number]) => (Array.isArray(n.install.Alias) ? n.install.Alias : n.install.Alias === undefined ? [] : [n.install.Alias]).flatMap((a) => splitValue(String(a), 'words') ?? [])
  const generated = [
    ...config.nested.flatMap((n, i) => [nestedService(n), ...aliases(n)].map((service) => ({ service, what: `nested ${n.name}`, nested: i }))),
    ...units.files.filter((f) => f.quadlet && f.quadlet.appliesTo === undefined).map((f) => ({ service: f.quadlet!.service!, what: f.path, nested: undefined })),
  ]
  for (const { spec, pointer } of files) {
    const m = /^(\/etc\/systemd\/system|\/usr\/lib\/systemd\/system)\/([^/]+\.d)\/[^/]+\.conf$/.exec(spec.path)
    if (!m) continue
    const targets = generated.filter((g) => dropinDirNames(g.service).includes(m[2]!))
    if (targets.length === 0) continue
    const body = texts.get(spec.path)
    if (body === undefined) {
      out.found.push({ id: 'raw.unchecked', pointer, detail: `${spec.path}: a drop-in of ${targets.map((t) => t.service).join(', ')} whose content qm-stage cannot read` })
      continue
    }
    const unit = parseUnit(body, spec.path, 'systemd')
    const ctx = nestedContext(config.oom_score_adjust, serviceEnvironment(unit.entries), IN_QM.nestedQuadletDir, (p) => texts.get(p))
    for (const e of unit.entries.filter((e) => e.section === 'Service')) {
      const owner = targets.find((t) => t.nested !== undefined && NESTED_OWNED.service!.includes(e.key))
      if (owner) {
        out.checks.push({ code: 'CONFLICT', message: `${spec.path}:${e.line} ${e.key}= changes ${owner.what}: set it with /nested/${owner.nested}/${FIELD[e.key]}`, pointer })
        continue
      }
      for (const h of classifyEntry('Service', e.key, e.value, ctx)) {
        if (h.kind === 'unsafe') out.found.push({ id: h.id, pointer, detail: `${spec.path}:${e.line} (${targets.map((t) => t.service).join(', ')}) ${h.detail}` })
        else out.checks.push({ code: 'CONFIG_INVALID', message: `${spec.path}:${e.line} ${h.message}`, pointer })
      }
    }
  }
}

/** The units content makes inside QM: rootful Quadlet files (by the service they generate), unit files, links. */
function contentUnits(config: QmConfig, files: { spec: { path: string }; pointer: string }[], texts: Map<string, string>): ContentUnits {
  const units: ContentUnits = { files: [], links: config.content.add_symlinks.map((l, i) => ({ link: l.link, target: l.target, pointer: `/content/add_symlinks/${i}/link` })) }
  const rootful = (p: string) => !p.startsWith('/etc/containers/systemd/users')
  const quadletUnits = files.filter((f) => quadletPlace(f.spec.path)?.kind === 'unit' && rootful(f.spec.path)).map((f) => f.spec.path)
  // units before drop-ins, so a drop-in finds the service a unit's ServiceName= gives
  const ordered = [...files].sort((a, b) => Number(quadletPlace(a.spec.path)?.kind === 'dropin') - Number(quadletPlace(b.spec.path)?.kind === 'dropin'))
  for (const { spec, pointer } of ordered) {
    const place = quadletPlace(spec.path)
    const text = texts.get(spec.path)
    if (!place || !rootful(spec.path)) {
      units.files.push({ path: spec.path, pointer, ...(text === undefined ? {} : { text }) })
      continue
    }
    const entries = text === undefined ? [] : parseUnit(text, spec.path, 'quadlet').entries
    const lastOf = (section: string, key: string) => entries.filter((e) => e.section === section && e.key === key).at(-1)?.value
    const name = lastOf(MAIN_SECTION[place.ext]!, 'ServiceName')
    const aliases = entries.filter((e) => e.section === 'Install' && e.key === 'Alias').flatMap((e) => splitValue(e.value, 'words') ?? [])
    if (place.kind === 'unit') {
      const wanted = entries.some((e) => e.section === 'Install' && ['WantedBy', 'RequiredBy', 'UpheldBy'].includes(e.key) && e.value.trim() !== '')
      const service = name ? `${quadletScalar(name)}.service` : quadletServiceName(posix.basename(spec.path))!
      units.files.push({ path: spec.path, pointer, quadlet: { service, aliases, wanted } })
    } else if (name !== undefined || aliases.length > 0) {
      // a drop-in renames or aliases every unit of its type and name it applies to
      const appliesTo = [
        ...config.nested.filter((n) => dropinDirNames(`${n.name}.container`).includes(place.dropinDir!)).map(nestedService),
        ...quadletUnits.filter((u) => dropinDirNames(posix.basename(u)).includes(place.dropinDir!)).map((u) => units.files.find((f) => f.path === u)?.quadlet?.service ?? quadletServiceName(posix.basename(u))!),
      ]
      units.files.push({ path: spec.path, pointer, quadlet: { ...(name === undefined ? {} : { service: `${quadletScalar(name)}.service` }), aliases, wanted: false, appliesTo } })
    }
  }
  return units
}

const text = (f: { content: string | Uint8Array }) => (typeof f.content === 'string' ? f.content : Buffer.from(f.content).toString('utf8'))

/**
 * The pointer of the add_files entry that places a path (the first: a glob's destination directory holds its
 * matches), from an index made once, so that every file of a large config is not a scan of all the others.
 */
function addFilePointers(config: QmConfig): (path: string) => string {
  const exact = new Map<string, number>()
  const globs: { i: number; dir: string }[] = []
  config.content.add_files.forEach((f, i) => {
    if (f.source_glob !== undefined) globs.push({ i, dir: f.path.replace(/\/+$/, '') })
    else if (!exact.has(f.path)) exact.set(f.path, i)
  })
  return (path) => {
    let i = exact.get(path) ?? -1
    for (const g of globs) {
      if (i >= 0 && g.i > i) break
      if (isAncestor(g.dir, path)) {
        i = g.i
        break
      }
    }
    return i < 0 ? '/content/add_files' : `/content/add_files/${i}/${config.content.add_files[i]!.source_glob === undefined ? 'path' : 'source_glob'}`
  }
}

/** The first generated path a path is (or lies under, for a tree), from an index of the generated files by path. */
function generatedHits(generated: readonly Generated[]): (path: string) => Generated | undefined {
  const files = new Map<string, number>()
  const trees: number[] = []
  generated.forEach((g, i) => {
    if (g.kind === 'tree') trees.push(i)
    else if (!files.has(g.path)) files.set(g.path, i)
  })
  return (path) => {
    let i = files.get(path) ?? -1
    // a file below a generated file would make it a directory
    for (let at = path.lastIndexOf('/'); i < 0 && at > 0; at = path.lastIndexOf('/', at - 1)) i = files.get(path.slice(0, at)) ?? -1
    for (const t of trees) {
      if (i >= 0 && t > i) break
      if (under(path, generated[t]!.path)) {
        i = t
        break
      }
    }
    return i < 0 ? undefined : generated[i]
  }
}

/** Flattened `table.key` names of a TOML document. */
function tomlKeys(doc: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(doc).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? tomlKeys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  )
}

/**
 * Files that replace or override a generated file from where its reader looks: containers.conf.d drop-ins,
 * a storage.conf that takes precedence, other BlueChi agent drop-ins.
 */
function overrides(config: QmConfig, files: { spec: { path: string }; pointer: string }[], texts: Map<string, string>, generated: Generated[], out: ContentGuard) {
  const conf = generated.find((g) => g.path === IN_QM.containersConf)
  const confKeys = conf?.text === undefined ? [] : tomlKeys(parseToml(conf.text) as Record<string, unknown>)
  const bluechi = generated.find((g) => g.key === '/bluechi')
  const agentKeys = bluechi?.text === undefined ? [] : parseUnit(bluechi.text, bluechi.path, 'systemd').entries.map((e) => e.key)
  for (const { spec, pointer } of files) {
    const path = spec.path
    const body = texts.get(path)
    if (CONTAINERS_CONF_FILES.test(path) && path !== IN_QM.containersConf) {
      if (body === undefined) {
        out.found.push({ id: 'raw.unchecked', pointer, detail: `${path}: a containers.conf file whose content qm-stage cannot read (it comes from a url)` })
        continue
      }
      let doc: Record<string, unknown>
      try {
        doc = parseToml(body) as Record<string, unknown>
      } catch (e) {
        out.checks.push({ code: 'CONFIG_INVALID', message: `${path} is not TOML podman can read: ${(e as Error).message.split('\n')[0]}`, pointer })
        continue
      }
      const keys = tomlKeys(doc)
      // podman's TOML decoder matches keys to its fields ignoring case (BurntSushi/toml): NETNS is netns
      const clash = keys.filter((k) => confKeys.includes(k.toLowerCase()))
      if (clash.length > 0) out.checks.push({ code: 'CONFLICT', message: `${path} overrides ${clash.join(', ')} of QM's containers.conf, which is generated from /containers_conf: set it there`, pointer })
      // every other key sets a default of every nested container: classified like the nested keys
      const ctx = nestedContext(config.oom_score_adjust, undefined, '/', (p) => texts.get(p))
      for (const [key, value] of containersConfEntries(doc)) {
        if (clash.includes(key)) continue
        for (const h of classifyContainersConfKey(key, value, ctx)) {
          if (h.kind === 'unsafe') out.found.push({ id: h.id, pointer, detail: `${path} ${h.detail}` })
          else out.checks.push({ code: 'CONFIG_INVALID', message: `${path} ${h.message}`, pointer })
        }
      }
    }
    const storage = STORAGE_CONF_FILES
    if (storage.includes(path) && path !== config.storage_conf.path && storage.indexOf(path) < storage.indexOf(config.storage_conf.path)) {
      out.checks.push({ code: 'CONFLICT', message: `${path} takes precedence over ${config.storage_conf.path}, which is generated from /storage_conf: podman would never read it; set storage_conf.path instead`, pointer })
    }
    podmanDefaults(config, path, body, pointer, texts, out)
    if (bluechi && BLUECHI_AGENT_CONF.test(path) && path !== bluechi.path && body === undefined) {
      out.found.push({ id: 'raw.unchecked', pointer, detail: `${path}: a BlueChi agent file whose content qm-stage cannot read (it comes from a url or pipeline)` })
    }
    if (bluechi && BLUECHI_AGENT_CONF.test(path) && body !== undefined) {
      const clash = [...new Set(parseUnit(body, path, 'systemd').entries.map((e) => e.key).filter((k) => agentKeys.includes(k)))]
      if (clash.length > 0) out.checks.push({ code: 'CONFLICT', message: `${path} sets ${clash.join(', ')}, which ${bluechi.path} generates from /bluechi: set it there`, pointer })
    }
  }
}

/** A file podman in QM reads for every nested container, classified like the nested keys it stands for. */
function podmanDefaults(config: QmConfig, path: string, body: string | undefined, pointer: string, texts: Map<string, string>, out: ContentGuard) {
  const what = podmanInQm(path)
  if (what === undefined) return
  if (what === 'hooks') {
    out.found.push({ id: 'raw.unchecked', pointer, detail: `${path}: an OCI hook podman in QM runs for the containers it matches; it can change their mounts, devices and privileges` })
  } else if (what === 'cdi') {
    out.found.push({ id: 'device.host', pointer, detail: `${path}: a CDI spec adds devices and mounts to the containers that name it, which qm-stage does not check` })
  } else if (body === undefined) {
    out.found.push({ id: 'raw.unchecked', pointer, detail: `${path}: podman in QM reads it for every container, and qm-stage cannot read it (it comes from a url or pipeline)` })
  } else if (what === 'mounts') {
    // one SOURCE:DEST a line, bind-mounted into every container (containers-mounts.conf(5))
    const ctx = nestedContext(config.oom_score_adjust, undefined, '/', (p) => texts.get(p))
    for (const line of body.split('\n').map((l) => l.trim())) {
      if (line === '' || line.startsWith('#')) continue
      for (const h of classifyEntry('Container', 'Volume', line.includes(':') ? line : `${line}:${line}`, ctx)) {
        if (h.kind === 'unsafe') out.found.push({ id: h.id, pointer, detail: `${path} mounts into every container: ${h.detail}` })
      }
    }
  } else {
    const c = classifyProfile(body)
    if (typeof c !== 'string') out.checks.push({ code: 'CONFIG_INVALID', message: `${path} is podman's default seccomp profile in QM, and it ${c.invalid}`, pointer })
    else if (c === 'unconfined') out.found.push({ id: PROFILE_IDS[c], pointer, detail: `${path}: podman's default seccomp profile in QM allows every system call` })
  }
}

function quadletFile(
  config: QmConfig,
  path: string,
  body: string,
  place: NonNullable<ReturnType<typeof quadletPlace>>,
  pointer: string,
  read: (path: string) => string | undefined,
  out: ContentGuard,
) {
  const unit = parseUnit(body, path, 'quadlet')
  const at = (e: { line: number }) => `${path}:${e.line}`
  if (unit.rejected) {
    const issue = unit.issues.find((i) => i.drops === 'file')!
    out.checks.push({ code: 'CONFIG_INVALID', message: `${path}:${issue.line}: ${issue.message}: Quadlet refuses the file`, pointer })
    return
  }
  const entries = unit.entries
  const unitDir = place.kind === 'dropin' ? posix.dirname(posix.dirname(path)) : posix.dirname(path)
  const ctx = nestedContext(config.oom_score_adjust, serviceEnvironment(entries), unitDir, read)
  for (const { entry, hit } of classifyQuadletEntries(entries, ctx)) {
    if (hit.kind === 'unsafe') out.found.push({ id: hit.id, pointer, detail: `${at(entry)} ${hit.detail}` })
    else out.checks.push({ code: 'CONFIG_INVALID', message: `${at(entry)} ${hit.message}`, pointer })
  }
  // a drop-in that applies to a generated nested unit
  config.nested.forEach((n, i) => {
    // a unit of the same name is a unit name taken twice (config/units.ts)
    const name = `${n.name}.container`
    if (place.kind === 'dropin' && dropinDirNames(name).includes(place.dropinDir!)) {
      for (const e of entries) {
        const field = ownedField(e)
        if (field) out.checks.push({ code: 'CONFLICT', message: `${at(e)} ${e.key}= changes nested ${n.name}: set it with /nested/${i}/${field}`, pointer })
      }
    }
  })
  if (place.ext === 'container' && place.kind === 'unit') imageChecks(config, path, entries, pointer, out)
}

const FIELD: Readonly<Record<string, string>> = { Image: 'image', Exec: 'exec', Network: 'network', Pull: 'pull', Rootfs: 'image', OOMScoreAdjust: 'oom_score_adjust' }

function ownedField(e: UnitEntry): string | undefined {
  const section = e.section === 'Container' ? 'container' : e.section === 'Service' ? 'service' : undefined
  return section && NESTED_OWNED[section]!.includes(e.key) ? FIELD[e.key] : undefined
}

/** The nested rule for a hand-written .container: its image is embedded, or it says how it is pulled. */
function imageChecks(config: QmConfig, path: string, entries: UnitEntry[], pointer: string, out: ContentGuard) {
  const image = entries.filter((e) => e.section === 'Container' && e.key === 'Image').at(-1)
  if (!image) return
  const ref = quadletScalar(image.value)
  if (/\.(image|build)$/.test(ref)) return // built or pulled by its own Quadlet unit
  const pull = quadletScalar(entries.filter((e) => e.section === 'Container' && e.key === 'Pull').at(-1)?.value ?? '')
  const embedded = new Set(embeddedImages(config).map(({ image }) => normaliseImageRef(imageName(image))))
  if (!embedded.has(normaliseImageRef(ref)) && (pull === '' || pull === 'never')) {
    out.checks.push({
      code: 'IMAGE_NOT_EMBEDDED',
      message: `${path}:${image.line} ${ref} is not in container_images; embed it, or set Pull=missing (or always, newer) to fetch it when QM starts`,
      pointer,
    })
  }
}

/** A local seccomp_source is read: its content decides the class, whatever its path says. */
function seccompContent(config: QmConfig, resolved: Resolved, out: ContentGuard) {
  const origin = resolved.seccomp
  if (!origin || !('content' in origin)) return
  const pointer = '/container/seccomp_source/source_path'
  const c = classifyProfile(text(origin))
  if (typeof c === 'object') out.checks.push({ code: 'CONFIG_INVALID', message: `is not a seccomp profile podman can read: ${c.invalid}`, pointer })
  else if (c !== 'confined') {
    const what = c === 'unconfined' ? 'its default action allows every syscall' : 'it allows realtime scheduling (sched_setscheduler, sched_setattr)'
    out.found.push({ id: PROFILE_IDS[c], pointer, detail: `the profile ${config.container.seccomp_profile}: ${what}` })
  }
}
