import { bluechiModel } from './bluechi.ts'
import { findings } from './findings.ts'
import { insideModel } from './inside.ts'
import { namespaces } from './namespaces.ts'
import { placementModel } from './placement.ts'
import { quadletModel } from './unit-model.ts'
import type { TreeIndex } from '../archive/types.ts'
import { REPORT_VERSION, type Report } from './report.ts'
import { selinuxModel } from './selinux-model.ts'
import { subidsModel } from './subids.ts'
import { unitsModel, type UnitsOptions } from './units-model.ts'
import { quadletRules } from '../units/generate/versions.ts'
import { NOT_MATERIALISED_MARKER, parseMarker } from '../qm/not-materialised.ts'
import type { TreeView } from './view.ts'

/** Paths that only an OSTree or bootc (image-mode) tree has. */
const IMAGE_MODE_MARKS = ['/ostree', '/sysroot', '/usr/lib/ostree', '/usr/lib/bootc', '/usr/etc']

/** The marker of a tree `qm-stage tree` wrote without a seed, when there is one. */
function notMaterialisedModel(host: TreeView): Pick<Report, 'notMaterialised'> {
  const text = host.text(NOT_MATERIALISED_MARKER)
  return text === undefined ? {} : { notMaterialised: { file: NOT_MATERIALISED_MARKER, stages: parseMarker(text) } }
}

/** The QM in an indexed tree, and what is wrong with it. */
export function reportOf(index: TreeIndex, input: string, units: UnitsOptions = { rules: quadletRules()!, optionalDevices: 'present' }): Report {
  const { host, qm } = namespaces(index)
  const quadlet = quadletModel(host)
  const inside = insideModel(qm, units.rules.unquote)
  const report: Omit<Report, 'findings'> = {
    version: REPORT_VERSION,
    input: { path: input, kind: index.kind, members: index.stats.members },
    imageMode: IMAGE_MODE_MARKS.some((p) => index.entries.has(p)),
    placement: placementModel(host, qm),
    quadlet: quadlet.report,
    inside: inside.report,
    bluechi: bluechiModel(qm),
    selinux: selinuxModel(host),
    subids: subidsModel(host),
    units: unitsModel(host, qm, units),
    ...notMaterialisedModel(host),
  }
  const hasLabels = [...index.entries.values()].some((e) => e.xattrs?.['security.selinux'] !== undefined)
  return { ...report, findings: findings({ report, quadlet, inside, host, qm, hasLabels, unquote: units.rules.unquote }) }
}
