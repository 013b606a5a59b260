import { execStartLine } from './units-model.ts'
import type { Finding, PathState, Report, Sourced } from './report.ts'

const COLOURS = { error: 31, warning: 33, info: 36, bold: 1, dim: 2 } as const
type Paint = (what: keyof typeof COLOURS, text: string) => string

/** Rows as aligned columns (the last column is not padded). */
function table(rows: string[][], indent = '  '): string[] {
  const widths: number[] = []
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(c).length)))
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - visible(c).length))).join('  ').trimEnd())
}
const visible = (s: string) => s.replace(/\x1b\[\d+m/g, '')

const at = (s: Sourced) => (s.line ? `${s.file}:${s.line}` : s.file)
const path = (p: PathState) => (p.present ? [p.path, `${p.type} ${p.mode}`, p.label ?? ''] : [p.path, 'missing', ''])

/** The report for people: sections, aligned columns, colour only when `colour`. */
export function textReport(r: Report, colour: boolean): string {
  const paint: Paint = (what, text) => (colour ? `\x1b[${COLOURS[what]}m${text}\x1b[0m` : text)
  const head = (title: string) => ['', paint('bold', title)]
  const lines = [
    paint('bold', `QM in ${r.input.path}`) + ` (${r.input.kind}, ${r.input.members} members${r.imageMode ? ', image mode' : ''})`,
    ...head('Placement'),
    ...table([
      ['rootfs', ...path(r.placement.rootfs)],
      ['/etc', ...path(r.placement.etc)],
      ['/var', ...path(r.placement.var)],
      ['/var/tmp', ...path(r.placement.varTmp)],
      ['made at boot', r.placement.tmpfiles.map((l) => `${l.type} ${l.path}${l.argument ? ` from ${l.argument}` : ''}`).join(', ') || 'nothing (no tmpfiles.d line)', r.placement.tmpfiles.map((l) => `${l.file}:${l.line}`).join(', ')],
      ['init', r.placement.init ?? 'missing'],
      ['systemd', r.placement.systemd ?? 'missing'],
      ['podman', r.placement.podman ?? 'missing'],
    ]),
    ...head('qm.container'),
    ...table([
      ['unit', r.quadlet.unit ?? 'missing'],
      ...r.quadlet.dropins.map((d, i) => [i === 0 ? 'drop-ins' : '', `${i + 1}. ${d}`]),
      ...r.quadlet.overridden.map((d, i) => [i === 0 ? 'hidden' : '', `${d} (a same-named drop-in wins)`]),
      ...r.quadlet.shadowed.map((d, i) => [i === 0 ? 'shadowed' : '', d]),
      ...(r.quadlet.pregenerated
        ? [['qm.service', `${r.quadlet.pregenerated.path}${r.quadlet.pregenerated.dropinsIgnored ? ' (pregenerated: runtime drop-ins ignored)' : ' (the generator regenerates it at boot)'}`]]
        : []),
    ]),
    ...settings(r, paint),
    ...head(`qm.service (podman ${r.units.podman}'s Quadlet, optional devices ${r.units.optionalDevices}; all units: --units)`),
    ...serviceLine(r),
    ...head('Inside QM'),
    ...table([
      ['containers.conf', r.inside.containersConf.oomScoreAdj ? `oom_score_adj ${r.inside.containersConf.oomScoreAdj.value}` : 'no oom_score_adj', r.inside.containersConf.oomScoreAdj ? at(r.inside.containersConf.oomScoreAdj) : r.inside.containersConf.files.join(', ')],
      ['storage.conf', r.inside.storage.file ?? 'missing', `${r.inside.storage.transientStore ? 'transient, ' : ''}image stores: ${r.inside.storage.imageStores.join(', ') || 'none'}`],
      ['embedded images', r.inside.embeddedImages.join(', ') || 'none'],
    ]),
    ...(r.inside.nested.length ? ['  nested containers:'] : []),
    ...table(
      r.inside.nested.map((n) => [
        n.name,
        n.image ? `${n.image.value}${n.imageEmbedded ? ' (embedded)' : n.pull ? ` (Pull=${n.pull})` : ''}` : 'no Image=',
        n.oomScoreAdjust ? `OOMScoreAdjust=${n.oomScoreAdjust.value}` : 'OOMScoreAdjust from containers.conf',
        n.file + (n.shadowed.length ? paint('dim', ` (hides ${n.shadowed.join(', ')})`) : ''),
      ]),
      '    ',
    ),
    ...head('BlueChi'),
    ...table([
      ['agent', r.bluechi.enabled ? 'enabled' : 'not enabled', r.bluechi.files.join(', ')],
      ...(r.bluechi.nodeName ? [['NodeName', r.bluechi.nodeName.value, at(r.bluechi.nodeName)]] : []),
      ...(r.bluechi.controllerAddress ? [['ControllerAddress', r.bluechi.controllerAddress.value, at(r.bluechi.controllerAddress)]] : []),
      ...(r.bluechi.controllerHost ? [['ControllerHost', r.bluechi.controllerHost.value, at(r.bluechi.controllerHost)]] : []),
    ]),
    ...head('SELinux'),
    ...table([
      ['policy', r.selinux.policy ?? 'not configured (targeted assumed)'],
      ['module package', r.selinux.modulePackage ?? 'missing'],
      ['policy store', r.selinux.moduleStore ?? 'qm not installed'],
      ['file contexts', `${r.selinux.fileContexts.entries.length} entries for QM's trees`, r.selinux.fileContexts.file ?? ''],
      ...r.selinux.labels.map((l, i) => [i === 0 ? 'labels' : '', l.path, l.label]),
    ]),
    ...head(`Findings (${r.findings.length})`),
    ...(r.findings.length ? table(r.findings.map((f) => findingRow(f, paint))) : ['  none']),
  ]
  return `${lines.join('\n')}\n`
}

/** qm.service's podman command line, as the chosen podman's Quadlet writes it. */
function serviceLine(r: Report): string[] {
  const qm = r.units.host[0]
  if (!qm) return ['  not generated: no qm.container']
  if (qm.errors.length) return qm.errors.map((e) => `  not generated: ${e}`)
  return [`  ExecStart=${execStartLine(qm)}`]
}

function settings(r: Report, paint: Paint): string[] {
  const rows: string[][] = []
  let section = ''
  for (const s of r.quadlet.settings) {
    if (s.section !== section) rows.push([paint('dim', `[${section = s.section}]`)])
    const values = s.value ? [s.value] : (s.values ?? [])
    if (values.length === 0) rows.push([`  ${s.key}`, '(reset, empty)', s.overridden?.length ? at(s.overridden.at(-1)!) : ''])
    values.forEach((v, i) => rows.push([i === 0 ? `  ${s.key}` : '', v.value, at(v)]))
  }
  return table(rows)
}

const findingRow = (f: Finding, paint: Paint) => [paint(f.severity, f.severity), f.id, f.message + (f.file ? paint('dim', `  (${f.file})`) : '')]
