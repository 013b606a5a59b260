// One raw assignment of a Quadlet unit, [Container] or [Service], classified like the named keys: podman's
// options through the podman argument table, [Service] keys through the systemd one.
import type { UnsafeId } from '../isolation.ts'
import { quadletMaybeTrue } from '../units/lookup.ts'
import { quadletScalar, splitValue } from '../units/split.ts'
import { annotationHit } from './devices.ts'
import { hostPathProblem } from './host-paths.ts'
import {
  capabilityHits,
  classifyPodmanArgs,
  deviceHits,
  mountHits,
  namespace,
  seccompHits,
  ulimitHits,
  volumeHits,
  type RawContext,
  type RawHit,
} from './raw-keys.ts'
import { classifyServiceKey } from './service-keys.ts'

const unsafe = (id: UnsafeId, detail: string): RawHit => ({ kind: 'unsafe', id, detail })

/** Global podman options (GlobalArgs=) that only change logging; the rest choose runtimes, hooks and stores. */
const GLOBAL_SAFE = new Set(['--log-level', '--syslog', '--events-backend', '--cgroup-manager'])

/** One raw assignment of a Quadlet unit ([Container], [Service]), classified. */
export function classifyEntry(section: string, key: string, value: string, ctx: RawContext): RawHit[] {
  const detail = `${key}=${value}`
  const words = (mode: 'words' | 'args') => splitValue(value, mode) ?? []
  if (section === 'Service') {
    if (key === 'OOMScoreAdjust') {
      const n = Number(value)
      return ctx.scope === 'nested' && (!Number.isInteger(n) || n < ctx.qmScore) ? [unsafe('oom.nested_below_qm', `${detail} < QM's ${ctx.qmScore}`)] : []
    }
    if (key === 'Environment' && words('args').some((w) => /^CONTAINERS_[A-Z_]*=/.test(w))) {
      return [unsafe('raw.unchecked', `${detail}: podman takes its configuration from there, which qm-stage cannot check`)]
    }
    if (key === 'EnvironmentFile') return [unsafe('raw.unchecked', `${detail}: it may set CONTAINERS_CONF and the like, which qm-stage cannot check`)]
    if (key === 'Environment') return []
    return classifyServiceKey(key, value, ctx) ?? [unsafe('raw.unchecked', `${detail}: a [Service] key qm-stage does not know: it may weaken isolation`)]
  }
  if (section !== 'Container') return []
  switch (key) {
    case 'Volume':
      return value === '' ? [] : volumeHits(value, ctx, detail)
    case 'Mount':
      return words('args').flatMap((m) => mountHits(m, ctx, detail))
    case 'AddDevice':
      return words('words').flatMap((d) => deviceHits(d, ctx, detail))
    case 'AddCapability':
      return capabilityHits(words('words'), detail)
    case 'Network':
      return namespace('network')(value, ctx, detail)
    case 'PodmanArgs':
      return classifyPodmanArgs(words('args'), ctx)
    case 'GlobalArgs':
      return words('args')
        .filter((w) => w.startsWith('-') && !GLOBAL_SAFE.has(w.split('=')[0]!))
        .map((w) => unsafe('raw.unchecked', `GlobalArgs ${w}: a global podman option can change the runtime, hooks or storage`))
    case 'ContainersConfModule':
      return [unsafe('raw.unchecked', `${detail}: a containers.conf module can change every default, which qm-stage cannot check`)]
    case 'SecurityLabelDisable':
      return quadletMaybeTrue(value) ? [unsafe('selinux.label_disable', detail)] : []
    case 'SecurityLabelType': {
      const type = quadletScalar(value)
      const own = ctx.scope === 'qm' ? type === 'qm_t' : /^qm_container_\w+$/.test(type)
      return type === '' || own ? [] : [unsafe('selinux.label_disable', `${detail}: not ${ctx.scope === 'qm' ? 'qm_t' : "one of QM's qm_container_* types"}`)]
    }
    case 'SeccompProfile':
      return seccompHits(quadletScalar(value), ctx, detail)
    case 'Rootfs': {
      // Rootfs=PATH[:O|:idmap...]: the container runs on that directory, read-write
      const problem = hostPathProblem(quadletScalar(value).replace(/:[^/]*$/, ''), ctx)
      return problem ? [unsafe('volume.host_path', `${detail}: ${problem}`)] : []
    }
    case 'Ulimit':
      return words('words').flatMap((u) => ulimitHits(u, detail))
    case 'Unmask':
      return value === '' ? [] : [unsafe('mask.off', detail)]
    case 'Annotation':
      return words('args').flatMap((a) => {
        const hit = annotationHit(a)
        return hit ? [unsafe(hit.id, `${detail}: ${hit.problem}`)] : []
      })
    default:
      return []
  }
}
