// One .container file and its drop-ins -> the .service Quadlet writes, in the form `quadlet -dryrun` prints.
// Quadlet appends every drop-in's lines to the unit's sections (new sections go after the existing ones),
// renames [Container] to [X-Container] and keeps it, passes the other sections through, and then adds its
// own lines: network-online dependencies first in [Unit] (5.2+), SourcePath= and RequiresMountsFor= last;
// in [Service] the environment, kill mode, stop commands, delegation, notify type, log identifier and
// ExecStart after the unit's own lines. A section the unit lacks is added at the end, [Unit] before [Service].

import { mergeUnits, type EffectiveUnit } from '../merge.ts'
import { parseUnit, type UnitFile } from '../parse.ts'
import { quadletServiceName, QUADLET_EXTENSIONS } from '../names.ts'
import { splitValue } from '../split.ts'
import { packed } from '../../packed.ts'
import { containerArgs, type ArgBlock, type ContainerArgs } from './container.ts'
import { addLayout, groupText, type Group, type Line } from './layout.ts'
import { commandLine } from './quote.ts'
import type { QuadletRules } from './versions.ts'

/** A section as the generator prints it: comment lines before its header, then its lines (keys and comments). */
export type GeneratedSection = Group

export interface GeneratedService {
  /** the Quadlet file, e.g. qm.container */
  source: string
  /** the unit systemd gets, e.g. qm.service */
  service: string
  /** the generator refuses the unit: its messages, and no sections */
  errors: string[]
  /** keys whose translation qm-stage does not model; when not empty the output may differ from Quadlet's */
  notModelled: string[]
  sections: GeneratedSection[]
  /** ExecStart= as systemd splits it; specifiers (%N) and ${VAR} are left for systemd */
  execStart: string[]
  /** stretches of ExecStart whose option groups podman 5.8 writes in a varying order (Go map order) */
  unorderedBlocks: string[][][]
  /** the unit as `quadlet -dryrun` prints it, without the ---name--- line */
  text: string
}

export interface ServiceInput {
  /** the Quadlet file's name */
  name: string
  /** its path, as the generator sees it (SourcePath=, relative paths) */
  path: string
  /** the unit file, then the drop-ins the release applies, in order; `unit`: the file as parseUnit reads it, when the caller has it */
  files: readonly { path: string; text: string; unit?: UnitFile }[]
  /** `files` merged (mergeUnits), when the caller has merged them */
  effective?: EffectiveUnit
  rules: QuadletRules
  /** names of every Quadlet file the generator sees (dependencies on them are translated) */
  units: ReadonlySet<string>
  /** whether a device exists on the host when the generator runs (default: it does) */
  deviceExists?: (path: string) => boolean
  /** the podman binary ExecStart names */
  podman?: string
}

/** [Unit] keys whose Quadlet-file values become service names (podman-systemd.unit(5) "Dependency between Quadlet units"). */
const DEPENDENCY_KEYS = ['After', 'Before', 'BindsTo', 'Conflicts', 'PartOf', 'Requires', 'Requisite', 'Upholds', 'Wants']

export function generateService(input: ServiceInput): GeneratedService {
  const { rules } = input
  const service = quadletServiceName(input.name) ?? input.name
  const files = packed(input.files, (f) => f.unit ?? parseUnit(f.text, f.path, 'quadlet'))
  const refusal = refusedFile(input, files)
  if (refusal) return generated(input.name, service, [refusal], [])

  // every line, in file order, grouped by section in order of first appearance
  const sections: Group[] = []
  files.forEach((f, i) => addLayout(sections, f, input.files[i]!.text))
  const effective = input.effective ?? mergeUnits(files)
  const dir = input.path.slice(0, input.path.lastIndexOf('/')) || '/'
  const args = containerArgs(effective, { rules, unitDir: dir, deviceExists: input.deviceExists ?? (() => true) })
  const errors = [...args.errors]

  const container = sections.find((s) => s.name === 'Container')
  if (container) container.name = 'X-Container'
  const unit = sectionOf(sections, 'Unit')
  if (rules.translatesDependencies) translateDependencies(unit, input.units, errors)
  if (rules.networkOnline) unit.lines.unshift(entry('Wants', 'network-online.target'), entry('After', 'network-online.target'))
  unit.lines.push(entry('SourcePath', input.path), entry('RequiresMountsFor', '%t/containers'), ...packed(args.mounts, (m) => entry('RequiresMountsFor', m)))
  if (errors.length) return generated(input.name, service, errors, args.notModelled)

  const execStart = serviceLines(sectionOf(sections, 'Service'), effective.get('Service', 'Type'), args, rules, input.podman ?? '/usr/bin/podman')
  const serviceName = (rules.keys.has('ServiceName') && effective.get('Container', 'ServiceName')) || undefined
  return generated(input.name, serviceName ? `${serviceName}.service` : service, [], args.notModelled, {
    sections,
    execStart,
    unorderedBlocks: args.run.filter((b: ArgBlock) => b.unordered && b.groups.length > 1).map((b) => b.groups),
    text: groupText(sections),
  })
}

/** Every result has one shape, refused or not: the code that reads thousands of them stays monomorphic. */
function generated(source: string, service: string, errors: string[], notModelled: string[], unit?: Pick<GeneratedService, 'sections' | 'execStart' | 'unorderedBlocks' | 'text'>): GeneratedService {
  return { source, service, errors, notModelled, sections: unit?.sections ?? [], execStart: unit?.execStart ?? [], unorderedBlocks: unit?.unorderedBlocks ?? [], text: unit?.text ?? '' }
}

/** Why the generator refuses to load one of the files, or undefined. */
function refusedFile(input: ServiceInput, files: readonly UnitFile[]): string | undefined {
  const rejected = files.find((f) => f.rejected)
  if (rejected) return `${rejected.file}: ${rejected.issues.find((i) => i.drops === 'file')?.message ?? 'unreadable'}`
  // before 5.8 only '#' starts a comment: a ';' line fails the file
  for (const f of input.rules.semicolonComments ? [] : input.files) {
    const bad = f.text.split(/\r?\n/).findIndex((l) => l.trimStart().startsWith(';'))
    if (bad !== -1) return `error loading "${f.path}", file contains line ${bad + 1}: “${f.text.split(/\r?\n/)[bad]!.trim()}” which is not a key-value pair, group, or comment`
  }
  for (let i = 0; i < files.length; i++) {
    const { entries, file } = files[i]!
    for (let j = 0; j < entries.length; j++) {
      const e = entries[j]!
      if (e.section === 'Container' && !input.rules.keys.has(e.key)) return `unsupported key '${e.key}' in group 'Container' in ${file}`
    }
  }
  return undefined
}

const entry = (key: string, value: string): Line => ({ key, value })
const keyOf = (l: Line) => ('key' in l ? l.key : undefined)

function sectionOf(sections: Group[], name: string): Group {
  let s = sections.find((x) => x.name === name)
  if (!s) sections.push((s = { name, before: [], lines: [] }))
  return s
}

/** [Unit] dependencies on Quadlet files name their services instead, each key moved to the end of the section. */
function translateDependencies(unit: Group, units: ReadonlySet<string>, errors: string[]): void {
  const moved: Line[] = []
  const present = new Set(unit.lines.map(keyOf))
  for (const key of DEPENDENCY_KEYS) {
    if (!present.has(key)) continue
    const lines = unit.lines.filter((l) => keyOf(l) === key) as { key: string; value: string }[]
    const names = lines.flatMap((l) => splitValue(l.value, 'words') ?? [])
    if (!names.some(isQuadletName)) continue
    const translated = names.map((n) => {
      if (!isQuadletName(n)) return n
      if (!units.has(n)) errors.push(`unable to translate dependency for ${n}`)
      return quadletServiceName(n)!
    })
    unit.lines = unit.lines.filter((l) => keyOf(l) !== key)
    moved.push(entry(key, translated.join(' ')))
  }
  unit.lines.push(...moved)
}

/** Quadlet's own [Service] lines after the unit's; returns ExecStart as argv. */
function serviceLines(service: Group, type: string | undefined, args: ContainerArgs, rules: QuadletRules, podman: string): string[] {
  const has = (key: string) => service.lines.some((l) => keyOf(l) === key)
  const stop = [podman, ...args.global, 'rm', '-v', '-f', '-i', ...(rules.cidfile ? ['--cidfile=%t/%N.cid'] : [args.name])]
  const execStart = [podman, ...args.global]
  for (let i = 0; i < args.run.length; i++) {
    const { groups } = args.run[i]!
    for (let j = 0; j < groups.length; j++) for (let w = 0; w < groups[j]!.length; w++) execStart.push(groups[j]![w]!)
  }
  const stopLine = commandLine(stop, rules.escapesBlank)
  service.lines.push(
    entry('Environment', 'PODMAN_SYSTEMD_UNIT=%n'),
    ...(has('KillMode') ? [] : [entry('KillMode', 'mixed')]),
    entry('ExecStop', stopLine),
    entry('ExecStopPost', `-${stopLine}`),
    entry('Delegate', 'yes'),
    ...(type === undefined ? [entry('Type', 'notify')] : []),
    ...(type === undefined || type === 'notify' ? [entry('NotifyAccess', 'all')] : []),
    entry('SyslogIdentifier', '%N'),
    entry('ExecStart', commandLine(execStart, rules.escapesBlank)),
  )
  return execStart
}

const isQuadletName = (name: string) => {
  const dot = name.lastIndexOf('.')
  return dot > 0 && Object.hasOwn(QUADLET_EXTENSIONS, name.slice(dot + 1))
}

/** Units as `quadlet -dryrun` prints them: `---name.service---`, the unit, a blank line. */
export function dryrunText(units: readonly GeneratedService[]): string {
  return units
    .filter((u) => u.errors.length === 0)
    .map((u) => `---${u.service}---\n${u.text}\n`)
    .join('')
}
