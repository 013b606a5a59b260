import { mergeUnits, type EffectiveKey, type EffectiveUnit, type Setting } from '../units/merge.ts'
import { parseUnit, type UnitFile } from '../units/parse.ts'
import { isQuadletKey } from '../units/keys.ts'
import type { QuadletSetting, Report, Sourced } from './report.ts'
import { quadletsOf, type TreeView } from './view.ts'

/** qm.service as systemd would load it: the unit file that wins, then its .d drop-ins. */
const SERVICE_DIRS = ['/etc/systemd/system', '/run/systemd/generator', '/usr/lib/systemd/system']
const GENERATOR = 'podman-system-generator'
/** [Service] keys a pregenerated qm.service must carry over from the Quadlet. */
const CARRIED = ['MemoryMax', 'MemoryHigh', 'CPUWeight', 'IOWeight', 'TasksMax', 'OOMScoreAdjust', 'AllowedCPUs', 'CPUQuota']

export interface QuadletModel {
  report: Report['quadlet']
  effective: EffectiveUnit
  /** files whose reader refuses them, and keys Quadlet does not know (it refuses the unit for them) */
  unknownKeys: Setting[]
  /** `allow_unsafe ID: reason` comments qm-stage wrote into drop-ins */
  reasons: Map<string, { reason: string; file: string }>
}

export const sourced = ({ value, file, line }: Setting): Sourced => ({ value, file, line })

/** qm.container as the host's Quadlet generator sees it: which files, in which order, and every key's effective value. */
export function quadletModel(host: TreeView): QuadletModel {
  const found = quadletsOf(host).find('qm.container')
  const parse = (path: string): UnitFile => parseUnit(host.text(path) ?? '', path, 'quadlet')
  const files = [...(found.unit ? [parse(found.unit)] : []), ...found.dropins.map(parse)]
  const effective = mergeUnits(files)
  const unknownKeys = files.flatMap((f) =>
    f.rejected ? [] : f.entries.filter((e) => !isQuadletKey(e.section, e.key)).map((e) => ({ value: `[${e.section}] ${e.key}`, file: e.file, line: e.line })),
  )
  const reasons = new Map<string, { reason: string; file: string }>()
  for (const path of found.dropins) {
    for (const m of (host.text(path) ?? '').matchAll(/^# allow_unsafe (\S+): (.+)$/gm)) reasons.set(m[1]!, { reason: m[2]!, file: path })
  }
  return {
    effective,
    unknownKeys,
    reasons,
    report: {
      ...(found.unit ? { unit: found.unit } : {}),
      shadowed: found.shadowed,
      dropins: found.dropins,
      overridden: found.overridden,
      rejected: files.filter((f) => f.rejected).map((f) => f.file),
      settings: effective.keys.map(setting),
      ...pregenerated(host, effective),
    },
  }
}

function setting(k: EffectiveKey): QuadletSetting {
  if (k.kind === 'scalar') {
    return { section: k.section, key: k.key, value: sourced(k.value), ...(k.overridden.length ? { overridden: k.overridden.map(sourced) } : {}) }
  }
  const overridden = [...k.cleared, ...(k.reset ? [k.reset] : [])].map(sourced)
  return { section: k.section, key: k.key, values: k.items.map(sourced), ...(overridden.length ? { overridden } : {}) }
}

/**
 * A qm.service generated at build time (image mode) is what systemd runs when it takes
 * precedence over the generator's output: the generator is masked, or the unit sits in
 * /etc. Then drop-ins added later are ignored (containers/qm#715), and any setting the
 * unit lacks is silently not applied.
 */
function pregenerated(host: TreeView, quadlet: EffectiveUnit): Pick<Report['quadlet'], 'pregenerated'> {
  const path = SERVICE_DIRS.map((d) => `${d}/qm.service`).find((p) => host.exists(p))
  if (!path) return {}
  // a generator is masked by a link to /dev/null in a directory that overrides /usr/lib's
  const masked = ['/etc/systemd/system-generators', '/run/systemd/system-generators'].some((d) => host.index.entries.get(`${d}/${GENERATOR}`)?.target === '/dev/null')
  const dropins = ['/etc/systemd/system/qm.service.d', '/usr/lib/systemd/system/qm.service.d']
    .flatMap((d) => (host.list(d) ?? []).filter((n) => n.endsWith('.conf')).map((n) => `${d}/${n}`))
    .sort((a, b) => (a.split('/').at(-1)! < b.split('/').at(-1)! ? -1 : 1))
  const service = mergeUnits([path, ...dropins].map((p) => parseUnit(host.text(p) ?? '', p, 'systemd')))
  const differs = CARRIED.filter((k) => quadlet.get('Service', k) !== undefined && quadlet.get('Service', k) !== service.get('Service', k)).map(
    (k) => `${k}: Quadlet says ${quadlet.get('Service', k)}, ${path} says ${service.get('Service', k) ?? 'nothing'}`,
  )
  return { pregenerated: { path, generatorMasked: masked, dropinsIgnored: masked || path.startsWith('/etc/'), differs } }
}

