// Seccomp profiles by path and by content. Podman's own profile (containers-common) allows realtime scheduling,
// which QM's seccomp-no-rt.json takes away; a profile whose default action allows every syscall is no filter.
import { QM } from '../qm/paths.ts'
import type { UnsafeId } from '../isolation.ts'
import { canonicalHostPath } from './host-paths.ts'

/** podman's default profile, and the admin copy that containers-common prefers when it exists. */
export const PODMAN_DEFAULT_PROFILES = [QM.podmanSeccompProfile, '/etc/containers/seccomp.json'] as const

/** Where a profile qm-stage writes may go: QM's data directory, next to upstream's seccomp-no-rt.json. */
export const PROFILE_WRITE_ROOT = `${QM.shareDir}/`

export type ProfileClass = 'unconfined' | 'realtime' | 'confined'

/** Actions that let a syscall run (SCMP_ACT_LOG runs it and logs). */
const ALLOWS = new Set(['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG'])
/** sched_setscheduler policies without realtime: SCHED_OTHER, SCHED_BATCH, SCHED_IDLE (upstream's create-seccomp-rules). */
const NON_RT_POLICIES = new Set([0, 3, 5])
const RT_CALLS = ['sched_setscheduler', 'sched_setattr']

interface Rule {
  names?: unknown
  name?: unknown
  action?: unknown
  args?: unknown
}

/**
 * What a profile (podman's JSON format) lets QM do, or why it is not a profile. Rules with includes/excludes
 * count as applying: QM runs with almost every capability, and on every architecture.
 */
export function classifyProfile(text: string): ProfileClass | { invalid: string } {
  let profile: unknown
  try {
    profile = JSON.parse(text)
  } catch (e) {
    return { invalid: `not JSON: ${(e as Error).message}` }
  }
  if (profile === null || typeof profile !== 'object' || Array.isArray(profile)) return { invalid: 'not a JSON object' }
  const p = profile as { defaultAction?: unknown; syscalls?: unknown }
  if (typeof p.defaultAction !== 'string') return { invalid: 'has no defaultAction' }
  if (ALLOWS.has(p.defaultAction)) return 'unconfined'
  const rules = Array.isArray(p.syscalls) ? (p.syscalls as Rule[]) : []
  for (const rule of rules) {
    if (rule === null || typeof rule !== 'object' || typeof rule.action !== 'string' || !ALLOWS.has(rule.action)) continue
    const names = Array.isArray(rule.names) ? rule.names : typeof rule.name === 'string' ? [rule.name] : []
    for (const call of RT_CALLS.filter((c) => names.includes(c))) {
      if (call === 'sched_setattr' || !onlyNonRealtime(rule.args)) return 'realtime'
    }
  }
  return 'confined'
}

/** True when the rule's argument conditions allow sched_setscheduler only with a non-realtime policy. */
function onlyNonRealtime(args: unknown): boolean {
  if (!Array.isArray(args) || args.length === 0) return false
  return args.some(
    (a: { index?: unknown; value?: unknown; op?: unknown }) =>
      a !== null && typeof a === 'object' && a.index === 1 && a.op === 'SCMP_CMP_EQ' && typeof a.value === 'number' && NON_RT_POLICIES.has(a.value),
  )
}

export const PROFILE_IDS: Readonly<Record<Exclude<ProfileClass, 'confined'>, UnsafeId>> = {
  unconfined: 'seccomp.unconfined',
  realtime: 'seccomp.default',
}

/**
 * The unsafe id a SeccompProfile= value (or --security-opt seccomp=) gives QM: unconfined, empty (podman's
 * default), podman's default profile by path, or a profile whose content qm-stage has and classifies.
 */
export function seccompPathId(raw: string, profile?: (path: string) => string | undefined): UnsafeId | undefined {
  if (raw === 'unconfined') return 'seccomp.unconfined'
  const value = raw.startsWith('/') ? canonicalHostPath(raw) : raw
  if (value === '' || (PODMAN_DEFAULT_PROFILES as readonly string[]).includes(value)) return 'seccomp.default'
  const text = profile?.(value)
  if (text === undefined) return undefined
  const c = classifyProfile(text)
  return typeof c === 'string' && c !== 'confined' ? PROFILE_IDS[c] : undefined
}
