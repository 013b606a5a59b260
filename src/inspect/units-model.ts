import { generateTree, type TreeUnit } from '../units/generate/tree.ts'
import type { QuadletRules } from '../units/generate/versions.ts'
import type { GeneratedUnit, Report } from './report.ts'
import { quadletFile, quadletMerged, quadletsOf, type TreeView } from './view.ts'

export interface UnitsOptions {
  rules: QuadletRules
  /** AddDevice=-/dev/x: whether such devices exist on the target when the generator runs */
  optionalDevices: 'present' | 'absent'
}

/**
 * The units podman's generators write from the tree: the host's generator for qm.container, and QM's own
 * for every nested Quadlet, reading QM's namespace (/etc is /etc/qm, the rest the rootfs), as at runtime.
 */
export function unitsModel(host: TreeView, qm: TreeView, options: UnitsOptions): Report['units'] {
  const run = (view: TreeView) =>
    generateTree({
      quadlets: quadletsOf(view),
      read: (path) => view.text(path),
      parse: (path) => quadletFile(view, path),
      merge: (paths) => quadletMerged(view, paths),
      rules: options.rules,
      deviceExists: () => options.optionalDevices === 'present',
    }).map((u) => unitReport(u, view))
  return {
    podman: options.rules.version,
    verified: options.rules.verified,
    optionalDevices: options.optionalDevices,
    host: run(host).filter((u) => u.name === 'qm.container'),
    nested: run(qm),
  }
}

function unitReport(u: TreeUnit, view: TreeView): GeneratedUnit {
  const inTree = (p: string) => view.resolve(p) ?? p
  return {
    name: u.source,
    service: u.service,
    source: u.path,
    file: inTree(u.path),
    dropins: u.dropins.applied.map(inTree),
    ignoredDropins: u.dropins.ignored.map(inTree),
    overriddenDropins: u.dropins.overridden.map(inTree),
    errors: u.errors,
    notModelled: u.notModelled,
    sections: u.sections,
    execStart: u.execStart,
    text: u.text,
  }
}

/** The ExecStart= value Quadlet wrote, as it wrote it. */
export function execStartLine(u: GeneratedUnit): string | undefined {
  let value: string | undefined
  for (const l of u.sections.find((s) => s.name === 'Service')?.lines ?? []) if ('key' in l && l.key === 'ExecStart') value = l.value
  return value
}

/** The units as `quadlet -dryrun` prints them; QM's nested units follow a comment line. */
export function unitsText(units: Report['units']): string {
  const block = (u: GeneratedUnit) => (u.errors.length ? `# ${u.name}: not generated: ${u.errors.join('; ')}\n` : `---${u.service}---\n${u.text}\n`)
  const head = `# podman ${units.podman} Quadlet${units.verified === units.podman ? '' : ` (rules of ${units.verified})`}; optional devices ${units.optionalDevices}\n`
  const host = units.host.length ? units.host.map(block).join('') : '# no qm.container in the host\'s Quadlet directories\n'
  const nested = units.nested.length ? `# inside QM (its own Quadlet generator)\n${units.nested.map(block).join('')}` : ''
  return head + host + nested
}
