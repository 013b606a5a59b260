// The units inside QM the config names, makes or changes, and the contradictions between them: a unit enabled
// and masked (or disabled) under any spelling that reaches it, and a unit name taken twice (a nested container
// named like one of QM's own units or like another nested one, by its name, ServiceName= or an alias). Content
// (Quadlet files, unit files, links) adds its own units; render passes it in once it has read it.
import { posix } from 'node:path'
import { canonicalUnit, reaches, takenBy, templateOf, UNIT_DIRS, unitType } from '../isolation/units.ts'
import { UNIT_TYPES } from '../units/names.ts'
import { quadletScalar, splitValue } from '../units/split.ts'
import type { Check } from './messages.ts'
import type { QmConfig, UnitKeys } from './types.ts'

/** A unit name some part of the config gives a unit inside QM. */
export interface UnitClaim {
  unit: string
  pointer: string
  /** who makes it, for messages: "nested radio", "/etc/containers/systemd/x.volume" */
  what: string
  /** generated: a Quadlet unit (nested or content); file: a unit file or link content places directly */
  kind: 'generated' | 'file'
  /** the unit's own name: aliases share it */
  group: string
  /** which unit source makes it (the nested entry or file): one source may name its unit twice */
  owner: string
  fromContent: boolean
}

/** A unit the config enables, disables or masks. */
export interface UnitState {
  unit: string
  pointer: string
  state: 'enabled' | 'disabled' | 'masked'
  what: string
  fromContent: boolean
  /** set when qm-stage itself enables it from this key (bluechi, a nested entry) */
  owner?: string
}

/** A Quadlet file or unit file content places, with its text when qm-stage has it. */
export interface ContentUnitFile {
  path: string
  pointer: string
  text?: string
  /** the Quadlet's generated service name and [Install] names, read by the caller */
  /**
   * A Quadlet unit: the service it generates, its [Install] Alias= names, whether [Install] enables it. A Quadlet
   * drop-in: the ServiceName= it sets (if any) and its aliases, for each generated unit it applies to.
   */
  quadlet?: { service?: string; aliases: string[]; wanted: boolean; appliesTo?: string[] }
}

export interface ContentUnits {
  files: ContentUnitFile[]
  links: { link: string; target: string; pointer: string }[]
}

const words = (v: UnitKeys[string] | undefined): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).flatMap((x) => splitValue(String(x), 'words') ?? [])
const last = (v: UnitKeys[string] | undefined) => (v === undefined ? undefined : String(Array.isArray(v) ? v.at(-1) : v))

/** The service a nested entry generates: ServiceName= (Quadlet appends .service) or <name>.service. */
export function nestedService(n: QmConfig['nested'][number]): string {
  // Quadlet removes the quotes of ServiceName="x" (quadlet-5.8.2 -dryrun: x.service)
  const name = last(n.container.ServiceName)
  return name === undefined || quadletScalar(name) === '' ? `${n.name}.service` : `${quadletScalar(name)}.service`
}

const inUnitDir = (path: string) => UNIT_DIRS.find((d) => posix.dirname(path) === d)
const wantsDir = (path: string) => UNIT_DIRS.some((d) => posix.dirname(posix.dirname(path)) === d) && /\.(wants|requires|upholds)$/.test(posix.dirname(path))
const hasUnitType = (name: string) => name.lastIndexOf('.') > 0 && UNIT_TYPES.has(unitType(name))

export function unitFacts(config: QmConfig, content?: ContentUnits): { claims: UnitClaim[]; states: UnitState[]; checks: Check[] } {
  const claims: UnitClaim[] = []
  const states: UnitState[] = []
  const checks: Check[] = []
  const alias = (unit: string, group: string, pointer: string, what: string, fromContent: boolean, owner: string) => {
    // systemctl refuses an alias of another type, and Quadlet writes it as it is
    if (!hasUnitType(unit) || unitType(unit) !== unitType(group)) {
      checks.push({ code: 'CONFIG_INVALID', message: `Alias=${unit}: an alias of ${group} must end in .${unitType(group)} (systemctl refuses another type)`, pointer })
      return
    }
    claims.push({ unit, pointer, what, kind: 'generated', group, owner, fromContent })
  }
  config.nested.forEach((n, i) => {
    const at = `/nested/${i}`
    const service = nestedService(n)
    const named = last(n.container.ServiceName) !== undefined
    const what = `nested ${n.name}`
    const pointer = named ? `${at}/container/ServiceName${Array.isArray(n.container.ServiceName) ? `/${n.container.ServiceName.length - 1}` : ''}` : `${at}/name`
    if (named && (!UNIT_NAME.test(service) || service.startsWith('@'))) {
      checks.push({ code: 'CONFIG_INVALID', message: `ServiceName=${last(n.container.ServiceName)}: ${service} is not a unit name systemd accepts`, pointer })
    }
    claims.push({ unit: service, pointer, what, kind: 'generated', group: service, owner: at, fromContent: false })
    const aliases = n.install.Alias
    ;(Array.isArray(aliases) ? aliases : aliases === undefined ? [] : [aliases]).forEach((v, j) => {
      const p = `${at}/install/Alias${Array.isArray(aliases) ? `/${j}` : ''}`
      for (const a of words(v)) alias(a, service, p, what, false, at)
    })
    // enabled: true writes WantedBy=default.target; a raw [Install] WantedBy= (or RequiredBy=, UpheldBy=) enables it too
    const wanted = n.enabled || ['WantedBy', 'RequiredBy', 'UpheldBy'].some((k) => words(n.install[k]).length > 0)
    if (wanted) states.push({ unit: service, pointer: `${at}/enabled`, state: 'enabled', what, fromContent: false, owner: `/nested/${i}` })
  })
  if (config.bluechi.enabled) {
    states.push({ unit: 'bluechi-agent.service', pointer: '/bluechi/enabled', state: 'enabled', what: "QM's BlueChi agent", fromContent: false, owner: '/bluechi' })
  }
  const sd = config.content.systemd
  for (const [key, state] of [['enabled_services', 'enabled'], ['disabled_services', 'disabled'], ['masked_services', 'masked']] as const) {
    sd[key].forEach((u, i) => states.push({ unit: canonicalUnit(u), pointer: `/content/systemd/${key}/${i}`, state, what: u, fromContent: false }))
  }
  for (const f of content?.files ?? []) {
    const q = f.quadlet
    if (q && q.appliesTo === undefined) {
      claims.push({ unit: q.service!, pointer: f.pointer, what: f.path, kind: 'generated', group: q.service!, owner: f.path, fromContent: true })
      for (const a of q.aliases) alias(a, q.service!, f.pointer, f.path, true, f.path)
      if (q.wanted) states.push({ unit: q.service!, pointer: f.pointer, state: 'enabled', what: f.path, fromContent: true })
      continue
    }
    if (q) {
      // a drop-in: a ServiceName= or Alias= it sets names each unit it applies to
      for (const t of q.appliesTo!) {
        const owner = claims.find((c) => c.unit === t)?.owner ?? t
        if (q.service !== undefined) claims.push({ unit: q.service, pointer: f.pointer, what: f.path, kind: 'generated', group: t, owner, fromContent: true })
        for (const a of q.aliases) alias(a, t, f.pointer, f.path, true, owner)
      }
      continue
    }
    const name = posix.basename(f.path)
    if (inUnitDir(f.path) && hasUnitType(name)) {
      // systemd reads an empty unit file as masked
      if (f.text === '') states.push({ unit: name, pointer: f.pointer, state: 'masked', what: f.path, fromContent: true })
      else claims.push({ unit: name, pointer: f.pointer, what: f.path, kind: 'file', group: name, owner: f.path, fromContent: true })
    }
  }
  for (const l of content?.links ?? []) {
    const name = posix.basename(l.link)
    if (!hasUnitType(name)) continue
    if (inUnitDir(l.link)) {
      // systemd reads a link that resolves to /dev/null as masked, however the target is spelled
      if (posix.resolve(posix.dirname(l.link), l.target) === '/dev/null') states.push({ unit: name, pointer: l.pointer, state: 'masked', what: l.link, fromContent: true })
      else claims.push({ unit: name, pointer: l.pointer, what: `${l.link} -> ${l.target}`, kind: 'file', group: posix.basename(l.target), owner: l.link, fromContent: true })
    } else if (wantsDir(l.link)) states.push({ unit: name, pointer: l.pointer, state: 'enabled', what: l.link, fromContent: true })
  }
  return { claims, states, checks }
}

const UNIT_NAME = /^[A-Za-z0-9:_.\\@-]{1,255}$/

/**
 * The contradictions among the units. With `content`, only those content takes part in (the rest were reported
 * when the config was loaded).
 */
export function unitChecks(config: QmConfig, content?: ContentUnits): Check[] {
  const { claims, states, checks } = unitFacts(config, content)
  const out: Check[] = content ? checks.filter((c) => c.pointer.startsWith('/content/')) : checks
  const report = (fromContent: boolean, check: Check) => {
    if (!content || fromContent) out.push(check)
  }
  const generated = claims.filter((c) => c.kind === 'generated')
  // the claims of each unit name, in order: the checks below look a unit up, never scan every claim
  const claimsOf = new Map<string, UnitClaim[]>()
  const generatedOf = new Map<string, UnitClaim[]>()
  for (const c of claims) {
    const by = c.kind === 'generated' ? [claimsOf, generatedOf] : [claimsOf]
    for (const m of by) {
      const list = m.get(c.unit)
      if (list) list.push(c)
      else m.set(c.unit, [c])
    }
  }
  // one name, two units: Quadlet writes one over the other, or systemd loads only one of them
  for (const c of generated) {
    // the first earlier generated claim of this unit from another owner
    let first: UnitClaim | undefined
    for (const o of generatedOf.get(c.unit)!) {
      if (o === c) break
      if (o.owner !== c.owner) {
        first = o
        break
      }
    }
    // two nested entries of one name are reported at the name already
    if (first && /^\/nested\/\d+\/name$/.test(first.pointer) && /^\/nested\/\d+\/name$/.test(c.pointer)) continue
    if (first) {
      report(first.fromContent || c.fromContent, { code: 'CONFLICT', message: `${c.what} makes ${c.unit}, which ${first.what} makes too (${first.pointer}): systemd would load only one of them`, pointer: c.pointer })
      continue
    }
    const owner = takenBy(c.unit)
    if (owner) report(c.fromContent, { code: 'CONFLICT', message: `${c.what} makes ${c.unit}, a unit QM already has: ${owner.by}; name it otherwise`, pointer: c.pointer })
  }
  // a unit file or link of the same name hides the generated unit (/etc/systemd/system comes before the generator's output)
  for (const f of claims.filter((c) => c.kind === 'file')) {
    const g = generatedOf.get(f.unit)?.[0]
    if (g) report(true, { code: 'CONFLICT', message: `${f.what} is a unit file named ${f.unit}, which ${g.what} generates (${g.pointer}): one hides the other (a unit in /etc/systemd/system comes before the generator's), and its checks would not apply; set it there`, pointer: f.pointer })
  }
  // the same unit under two names: its group (own name) when it is an alias
  const groupOf = (unit: string) => claimsOf.get(unit)?.[0]?.group ?? unit
  const same = (off: string, on: string) => reaches(off, on) || reaches(groupOf(off), groupOf(on)) || groupOf(off) === groupOf(on)
  const offs = states.filter((s) => s.state !== 'enabled')
  for (const on of states.filter((s) => s.state === 'enabled')) {
    for (const off of offs.filter((s) => same(s.unit, on.unit))) {
      const as = off.unit === on.unit ? '' : ` (${off.what} reaches ${on.unit}${templateOf(on.unit) === off.unit ? ', its template' : groupOf(off.unit) === groupOf(on.unit) ? ', the same unit' : ''})`
      const pointer = on.owner ? off.pointer : on.pointer
      const message = on.owner
        ? `${off.what} is ${off.state}, but ${on.what} is enabled from ${on.owner}${as}: set it there`
        : `${on.what} is enabled and also ${off.state} by ${off.pointer}${as}`
      report(on.fromContent || off.fromContent, { code: 'CONFLICT', message, pointer })
    }
  }
  // a generated unit is enabled by its Quadlet's [Install] (nested enabled), not by systemctl
  for (const on of states.filter((s) => s.state === 'enabled' && !s.owner && s.pointer.startsWith('/content/systemd/'))) {
    // the first generated claim that reaches it: of its own name or of its template
    const template = templateOf(on.unit)
    const own = generatedOf.get(on.unit)?.[0]
    const of = template === undefined ? undefined : generatedOf.get(template)?.[0]
    const g = own && of ? (generated.indexOf(own) < generated.indexOf(of) ? own : of) : (own ?? of)
    if (g) report(g.fromContent, { code: 'CONFLICT', message: `${on.what} is ${g.unit}, generated from ${g.what} at boot: start it with ${g.pointer.startsWith('/nested/') ? 'nested enabled: true' : '[Install] WantedBy='}`, pointer: on.pointer })
  }
  return out
}

