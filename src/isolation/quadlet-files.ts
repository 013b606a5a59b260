// A Quadlet file of any kind inside QM (.container, .pod, .kube, .volume, .network, .image, .build, .artifact),
// read as Quadlet reads it and classified like a nested entry: render uses it for files placed through content,
// inspect for the files it finds in QM's Quadlet directories.
import { quadletScalar } from '../units/split.ts'
import type { UnitEntry } from '../units/parse.ts'
import { deviceProblem } from './devices.ts'
import { hostPathProblem } from './host-paths.ts'
import { classifyEntry } from './quadlet-keys.ts'
import type { RawContext, RawHit } from './raw-keys.ts'

/** Sections that take the same raw keys as [Container] for what matters here (mounts, devices, podman options). */
const CONTAINER_LIKE = new Set(['Container', 'Pod', 'Build', 'Image', 'Network', 'Volume', 'Artifact'])

/** The [Service] Environment= of a unit's entries, or undefined when an EnvironmentFile= may add more. */
export function serviceEnvironment(entries: readonly UnitEntry[]): string[] | undefined {
  return entries.some((e) => e.section === 'Service' && e.key === 'EnvironmentFile')
    ? undefined
    : entries.filter((e) => e.section === 'Service' && e.key === 'Environment').map((e) => e.value)
}

/** Every entry of a Quadlet file (its drop-ins' entries after its own), classified; each hit with its entry. */
export function classifyQuadletEntries(entries: readonly UnitEntry[], ctx: RawContext): { entry: UnitEntry; hit: RawHit }[] {
  const out: { entry: UnitEntry; hit: RawHit }[] = []
  for (const e of entries) {
    const section = CONTAINER_LIKE.has(e.section) ? 'Container' : e.section
    for (const hit of classifyEntry(section, e.key, e.value, ctx)) out.push({ entry: e, hit })
    const device = volumeDevice(e, entries, ctx)
    if (device) out.push({ entry: e, hit: device })
    const path = pathKey(e, ctx)
    if (path) out.push({ entry: e, hit: path })
    if (e.section === 'Kube' && e.key === 'Yaml') {
      out.push({ entry: e, hit: { kind: 'unsafe', id: 'raw.unchecked', detail: `Yaml=${e.value}: the pods' host paths, devices and security settings are not checked` } })
    }
  }
  return out
}

/**
 * Keys that hand a path of QM to a container as a whole (Rootfs= is classifyEntry's): [Kube] ConfigMap= (read
 * into the pods), [Build] SetWorkingDirectory= (the build context, which the Containerfile can COPY into the image).
 */
function pathKey(e: UnitEntry, ctx: RawContext): RawHit | undefined {
  const which = (e.section === 'Kube' && e.key === 'ConfigMap') || (e.section === 'Build' && e.key === 'SetWorkingDirectory')
  if (!which) return undefined
  // SetWorkingDirectory=file|unit name the unit's own directory
  const value = quadletScalar(e.value)
  if (e.key === 'SetWorkingDirectory' && !value.startsWith('/')) return undefined
  const problem = hostPathProblem(value, ctx)
  return problem ? { kind: 'unsafe', id: 'volume.host_path', detail: `${e.key}=${e.value}: ${problem}` } : undefined
}

/** [Volume] Device= with Type=bind (or Options=bind) is a host path; otherwise a block device mounted into QM. */
function volumeDevice(e: UnitEntry, entries: readonly UnitEntry[], ctx: RawContext): RawHit | undefined {
  if (e.section !== 'Volume' || e.key !== 'Device') return undefined
  const last = (key: string) => entries.filter((x) => x.section === 'Volume' && x.key === key).at(-1)?.value
  const bind = /(^|,)r?bind(,|$)/.test(quadletScalar(last('Options') ?? '')) || quadletScalar(last('Type') ?? '') === 'bind'
  const device = quadletScalar(e.value)
  const problem = bind ? hostPathProblem(device, ctx) : device.startsWith('/') ? deviceProblem(device, ctx) : undefined
  return problem ? { kind: 'unsafe', id: bind ? 'volume.host_path' : 'device.host', detail: `Device=${e.value}: ${problem}` } : undefined
}
