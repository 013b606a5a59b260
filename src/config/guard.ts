// The host path, device and raw-key policy (src/isolation/) applied to every config key that becomes a bind
// mount, a device or a raw unit setting: container.*, the BlueChi socket, nested volumes and raw keys.
import type { UnsafeId } from '../isolation.ts'
import { qmContext, nestedContext } from '../isolation/contexts.ts'
import { annotationHit, deviceProblem } from '../isolation/devices.ts'
import { hostPathProblem, readSource, splitVolume } from '../isolation/host-paths.ts'
import { classifyEntry } from '../isolation/quadlet-keys.ts'
import type { RawContext, RawHit } from '../isolation/raw-keys.ts'
import { PROFILE_WRITE_ROOT, seccompPathId } from '../isolation/seccomp.ts'
import type { Check } from './messages.ts'
import { escapeKey } from './messages.ts'
import { pathProblem } from './paths.ts'
import type { QmConfig, UnitKeys } from './types.ts'

/** A setting that weakens isolation, at the config place that makes it. */
export interface Found {
  id: UnsafeId
  pointer: string
  detail: string
}

export interface Guarded {
  found: Found[]
  checks: Check[]
}

/** Keys the nested generator writes from typed fields; raw sections may not set them again. */
export const NESTED_OWNED: Readonly<Record<string, readonly string[]>> = {
  container: ['Image', 'Exec', 'Network', 'Pull', 'Rootfs'],
  service: ['OOMScoreAdjust'],
}

export function guard(config: QmConfig): Guarded {
  const out: Guarded = { found: [], checks: [] }
  const qm = qmContext(config.oom_score_adjust)
  const hit = (pointer: string, hits: RawHit[]) => {
    for (const h of hits) {
      if (h.kind === 'unsafe') out.found.push({ id: h.id, pointer, detail: h.detail })
      else out.checks.push({ code: 'CONFIG_INVALID', message: h.message, pointer })
    }
  }
  const c = config.container
  c.volumes.forEach((v, i) => hit(`/container/volumes/${i}`, classifyEntry('Container', 'Volume', v, qm)))
  hit('/container/volumes', qmWritableSources(config, qm))
  c.devices.forEach((d, i) => {
    const problem = deviceProblem(d, qm)
    if (problem) out.found.push({ id: 'device.host', pointer: `/container/devices/${i}`, detail: `${d}: ${problem}` })
  })
  for (const [key, value] of Object.entries(c.annotations)) {
    const hit = annotationHit(`${key}=${value}`)
    if (hit) out.found.push({ id: hit.id, pointer: `/container/annotations/${escapeKey(key)}`, detail: hit.problem })
  }
  checkBluechiSocket(config, qm, out)
  checkSeccompPath(config, out)
  config.nested.forEach((n, i) => {
    const at = `/nested/${i}`
    const env = n.service.EnvironmentFile === undefined ? listOf(n.service.Environment) : undefined
    const ctx = nestedContext(config.oom_score_adjust, env)
    n.volumes.forEach((v, j) => hit(`${at}/volumes/${j}`, classifyEntry('Container', 'Volume', v, ctx)))
    for (const section of ['container', 'service'] as const) {
      for (const [key, value] of Object.entries(n[section] as UnitKeys)) {
        if (NESTED_OWNED[section]!.includes(key)) continue
        const values = Array.isArray(value) ? value : [value]
        values.forEach((v, j) => {
          const pointer = `${at}/${section}/${escapeKey(key)}${Array.isArray(value) ? `/${j}` : ''}`
          hit(pointer, classifyEntry(section === 'container' ? 'Container' : 'Service', key, String(v), ctx))
        })
      }
    }
  })
  return out
}

const listOf = (v: UnitKeys[string] | undefined): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String))

/**
 * A volume source below another source QM can write (a read-write volume, or QM's own trees) is QM's to
 * redirect: it replaces a directory on the way with a symlink, and podman follows it at the next start.
 */
function qmWritableSources(config: QmConfig, ctx: RawContext): RawHit[] {
  const sources = config.container.volumes.map((v) => {
    const { source, options } = splitVolume(v)
    const read = readSource(source, ctx)
    return { v, path: read.kind === 'host' ? read.path : undefined, writable: !options.includes('ro') }
  })
  // the writable sources by the text a path below one starts with before its next '/' ('' for '/'), in list
  // order: each source then looks up its own prefixes, and thousands of volumes cost their total length
  const writableAt = new Map<string, number[]>()
  sources.forEach((b, i) => {
    if (!b.writable || !b.path) return
    const key = b.path === '/' ? '' : b.path
    const at = writableAt.get(key)
    if (at) at.push(i)
    else writableAt.set(key, [i])
  })
  const hits: RawHit[] = []
  sources.forEach((a, i) => {
    if (!a.path) return
    // the first writable source, in list order, that `a` lies below
    let over = -1
    for (let slash = a.path.indexOf('/'); slash !== -1; slash = a.path.indexOf('/', slash + 1)) {
      const first = writableAt.get(a.path.slice(0, slash))?.find((j) => j !== i)
      if (first !== undefined && (over === -1 || first < over)) over = first
    }
    if (over !== -1) hits.push({ kind: 'unsafe', id: 'volume.host_path', detail: `${a.v}: below ${sources[over]!.v}, which QM can write: it can replace a directory on the way with a symlink to any host path` })
  })
  return hits
}

/** The controller socket becomes a bind mount of the same path: written normalised, and through the path policy. */
function checkBluechiSocket(config: QmConfig, ctx: RawContext, out: Guarded): void {
  const { enabled, controller } = config.bluechi
  if (!enabled || controller.host) return
  const pointer = '/bluechi/controller/address'
  const socket = controller.address.replace(/^unix:path=/, '')
  const problem = pathProblem(socket, ['/'])
  if (problem) {
    out.checks.push({ code: 'CONFIG_INVALID', message: `${socket} ${problem}`, pointer })
    return
  }
  // QM gets the socket's directory (see bluechiSocket): that is the bind mount the policy judges
  const dir = socket.slice(0, socket.lastIndexOf('/')) || '/'
  const unsafe = hostPathProblem(dir, ctx)
  if (unsafe) out.found.push({ id: 'volume.host_path', pointer, detail: `the BlueChi socket's directory ${dir} is bind-mounted into QM: ${unsafe}` })
}

/**
 * The profile path is read by podman on the host, and with a source qm-stage writes the file there: it must
 * be normalised, and a written profile must stay in QM's data directory (it once wrote /etc/shadow).
 */
function checkSeccompPath(config: QmConfig, out: Guarded): void {
  const c = config.container
  if (!c.seccomp_profile.startsWith('/')) return
  const pointer = '/container/seccomp_profile'
  const problem = pathProblem(c.seccomp_profile, ['/usr/', '/etc/'])
  if (problem) {
    out.checks.push({ code: 'PATH_NOT_ALLOWED', message: `${c.seccomp_profile} ${problem}`, pointer })
    return
  }
  const byPath = seccompPathId(c.seccomp_profile)
  if (byPath) out.found.push({ id: byPath, pointer, detail: `seccomp_profile ${c.seccomp_profile}: podman's default profile` })
  if (c.seccomp_source && (!c.seccomp_profile.startsWith(PROFILE_WRITE_ROOT) || !c.seccomp_profile.endsWith('.json'))) {
    out.checks.push({
      code: 'PATH_NOT_ALLOWED',
      message: `${c.seccomp_profile}: a profile qm-stage writes from seccomp_source must be a .json file under ${PROFILE_WRITE_ROOT}`,
      pointer,
    })
  }
}
