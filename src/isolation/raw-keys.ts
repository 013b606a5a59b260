// podman arguments and the raw values of Quadlet keys, classified like the named keys: the same UNSAFE ids, the same
// host path and device policy (quadlet-keys.ts applies them key by key). Used for nested raw keys, Quadlet files placed
// through content, and inspect. An option or key that could weaken isolation in a way qm-stage cannot judge is
// 'raw.unchecked' rather than let through.
import { QM_DROPPED_CAPABILITIES, normaliseCapability, type UnsafeId } from '../isolation.ts'
import { annotationHit, deviceProblem } from './devices.ts'
import { hostPathProblem, readSource, splitVolume, type PathContext } from './host-paths.ts'
import { seccompPathId } from './seccomp.ts'

export interface RawContext extends PathContext {
  /** 'qm': the QM container itself (qm.container); 'nested': a container inside QM */
  scope: 'qm' | 'nested'
  /** QM's own OOM score, which nested containers must stay above */
  qmScore: number
  /** the content of a seccomp profile at a path, when qm-stage has it */
  profile?: (path: string) => string | undefined
}

export type RawHit = { kind: 'unsafe'; id: UnsafeId; detail: string } | { kind: 'invalid'; message: string }

const unsafe = (id: UnsafeId, detail: string): RawHit => ({ kind: 'unsafe', id, detail })
const invalid = (message: string): RawHit => ({ kind: 'invalid', message })

/** A podman flag's value as Go's strconv.ParseBool reads it (pflag): 1, t, T, TRUE, true, True. */
const TRUE = /^(1|t|T|TRUE|true|True)$/


export function volumeHits(spec: string, ctx: RawContext, detail: string): RawHit[] {
  const problem = hostPathProblem(splitVolume(spec).source, ctx)
  return problem ? [unsafe('volume.host_path', `${detail}: ${problem}`)] : []
}

export function deviceHits(spec: string, ctx: RawContext, detail: string): RawHit[] {
  const problem = deviceProblem(spec, ctx)
  return problem ? [unsafe('device.host', `${detail}: ${problem}`)] : []
}

export function capabilityHits(caps: string[], detail: string): RawHit[] {
  const all = caps.some((c) => c.toLowerCase() === 'all')
  return QM_DROPPED_CAPABILITIES.filter((cap) => all || caps.some((c) => normaliseCapability(c) === cap)).map((cap) =>
    unsafe(`capability.${cap}`, `${detail}: grants CAP_${cap.toUpperCase()}`),
  )
}

/** Nested containers get podman's default profile anyway (under QM's own filter): only no filter counts there. */
export function seccompHits(value: string, ctx: RawContext, detail: string): RawHit[] {
  const id = seccompPathId(value, ctx.profile)
  if (!id || (ctx.scope === 'nested' && id === 'seccomp.default')) return []
  return [unsafe(id, detail)]
}

/** `--mount type=bind,source=/x,destination=/y,...` (podman-run(1) --mount): the source through the path policy. */
export function mountHits(spec: string, ctx: RawContext, detail: string): RawHit[] {
  const fields = new Map<string, string>()
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=')
    fields.set((eq < 0 ? part : part.slice(0, eq)).toLowerCase(), eq < 0 ? 'true' : part.slice(eq + 1))
  }
  const type = fields.get('type') ?? 'volume'
  const source = fields.get('source') ?? fields.get('src') ?? ''
  if (['tmpfs', 'ramfs', 'devpts', 'image', 'artifact'].includes(type)) return []
  if (!['bind', 'volume', 'glob'].includes(type)) return [unsafe('raw.unchecked', `${detail}: mount type ${type} is not one qm-stage knows`)]
  if (type === 'glob') {
    // a glob reaches whatever matches: judge the directory above its first pattern character
    const at = source.search(/[*?[\\]/)
    const dir = at < 0 ? source : source.slice(0, source.lastIndexOf('/', at) + 1) || '/'
    const problem = hostPathProblem(dir, ctx) ?? (readSource(dir, ctx).kind === 'host' && at >= 0 && globTooWide(dir) ? 'a glob that can match system trees' : undefined)
    return problem ? [unsafe('volume.host_path', `${detail}: ${problem}`)] : []
  }
  const problem = hostPathProblem(source, ctx)
  return problem ? [unsafe('volume.host_path', `${detail}: ${problem}`)] : []
}

/** A glob from one of the directories that hold system trees directly below them. */
const globTooWide = (dir: string) => ['/', '/var/', '/run/', '/usr/', '/etc/'].includes(dir.endsWith('/') ? dir : `${dir}/`)

/** How podman run options are read: 'flag' takes no value (but accepts =true/false), 'value' takes one. */
type Arity = 'flag' | 'value'
type Judge = (value: string, ctx: RawContext, detail: string) => RawHit[]

const ok: Judge = () => []

/** A file option's path through the host path policy (podman reads or writes it wherever the container's podman runs). */
const hostFile = (what: string): Judge => (value, ctx, detail) => {
  const problem = hostPathProblem(value, ctx)
  return problem ? [unsafe('volume.host_path', `${detail}: ${what}: ${problem}`)] : []
}

/** `rtprio=SOFT[:HARD]`: a realtime priority limit above 0 lets the container's processes run realtime without CAP_SYS_NICE. */
export function ulimitHits(value: string, detail: string): RawHit[] {
  const m = /^rtprio=(-?\d+)(?::(-?\d+))?$/i.exec(value.trim())
  if (!m) return /^rtprio\b/i.test(value.trim()) ? [unsafe('sched.realtime', `${detail}: a realtime priority limit qm-stage cannot read`)] : []
  return [m[1], m[2]].some((n) => n !== undefined && Number(n) !== 0) ? [unsafe('sched.realtime', `${detail}: the container's processes may run realtime`)] : []
}
const NAMESPACE_HOST = /^(host|container:.*|ns:.*)$/

export const namespace = (what: string): Judge => (value, ctx, detail) => {
  if (!NAMESPACE_HOST.test(value)) return []
  if (what === 'network') return ctx.scope === 'qm' ? [unsafe('network.host', detail)] : [] // nested: QM's containers.conf already says netns="host"
  if (what === 'user') return [] // podman's default, in QM and inside it: no user namespace
  return [unsafe('namespace.host', `${detail}: shares the ${what} namespace of ${ctx.scope === 'qm' ? 'the host' : 'QM'}`)]
}

function securityOpt(value: string, ctx: RawContext, detail: string): RawHit[] {
  const [key, ...rest] = value.split(/[=:]/)
  const arg = value.slice(key!.length + 1)
  switch (key) {
    case 'label':
      if (arg === 'disable' || /^(type|user|role):/.test(arg)) {
        if (/^type:qm_container_\w+$/.test(arg)) return []
        return [unsafe('selinux.label_disable', detail)]
      }
      return []
    case 'seccomp':
      return seccompHits(arg, ctx, detail)
    case 'unmask':
    case 'systempaths':
      return rest.length > 0 && (key === 'unmask' || arg === 'unconfined') ? [unsafe('mask.off', detail)] : []
    case 'apparmor':
    case 'mask':
    case 'no-new-privileges':
    case 'proc-opts':
      return []
    default:
      return [unsafe('raw.unchecked', `${detail}: a security option qm-stage does not know`)]
  }
}

const OPTIONS: Readonly<Record<string, [Arity, Judge]>> = {}
const def = (names: string, arity: Arity, judge: Judge = ok) => {
  for (const n of names.split(/\s+/).filter(Boolean)) (OPTIONS as Record<string, [Arity, Judge]>)[n] = [arity, judge]
}
// podman-run(1), podman 5.x. Options that reach nothing outside the container's own settings.
def(`--add-host --arch --attach -a --authfile --blkio-weight --blkio-weight-device --cap-drop --cgroup-conf
  --cgroups --chrootdirs --cpu-period --cpu-quota --cpu-rt-period --cpu-rt-runtime --cpu-shares -c
  --cpus --cpuset-cpus --cpuset-mems --decryption-key --detach-keys --device-read-bps --device-read-iops --device-write-bps
  --device-write-iops --dns --dns-option --dns-search --entrypoint --env -e --env-merge --expose --gidmap
  --group-add --group-entry --health-cmd --health-interval --health-log-destination --health-max-log-count
  --health-max-log-size --health-on-failure --health-retries --health-start-period --health-startup-cmd
  --health-startup-interval --health-startup-retries --health-startup-success --health-startup-timeout --health-timeout
  --hostname -h --hostuser --image-volume --ip --ip6 --label -l --label-file
  --log-driver --mac-address --memory -m --memory-reservation --memory-swap --memory-swappiness --name
  --network-alias --os --passwd-entry --personality --pids-limit --platform --pod
  --preserve-fd --preserve-fds --publish -p --pull --rdt-class --requires --restart --retry --retry-delay
  --sdnotify --secret --shm-size --shm-size-systemd --stop-signal --stop-timeout --subgidname --subuidname --sysctl
  --timeout --tmpfs --tz --uidmap --umask --unsetenv --user -u --variant --workdir -w`, 'value')
def(`--detach -d --env-host --http-proxy --init --interactive -i --no-healthcheck --no-hosts --passwd --publish-all -P
  --quiet -q --read-only --read-only-tmpfs --replace --rm --rmi --sig-proxy --tls-verify --tty -t --unsetenv-all
  --disable-content-trust`, 'flag')
// Files podman and conmon read into the container or write, as root: on the host for QM itself, in QM for a nested one
def('--init-path', 'value', hostFile('bind-mounted into the container as its init'))
def('--env-file --hosts-file', 'value', hostFile("read into the container's environment or /etc/hosts"))
def('--cidfile --pidfile --conmon-pidfile --pod-id-file', 'value', hostFile('written by podman'))
def('--log-opt', 'value', (v, c, d) => (v.startsWith('path=') ? hostFile('written by conmon')(v.slice(5), c, d) : []))
def('--cgroup-parent', 'value', (_v, c, d) => (c.scope === 'qm' ? [unsafe('raw.unchecked', `${d}: QM would leave qm.service's cgroup and its limits`)] : []))
def('--ulimit', 'value', (v, _c, d) => ulimitHits(v, d))
def('--privileged', 'flag', (v, _c, d) => (TRUE.test(v) ? [unsafe('privileged', d)] : []))
def('--cap-add', 'value', (v, _c, d) => capabilityHits(v.split(','), d))
def('--device', 'value', (v, c, d) => deviceHits(v, c, d))
def('--device-cgroup-rule', 'value', (_v, _c, d) => [unsafe('device.host', `${d}: allows devices by number, whatever their name`)])
def('--gpus', 'value', (_v, _c, d) => [unsafe('device.host', `${d}: passes the host's GPUs through their vendor's CDI spec`)])
def('--volume -v', 'value', (v, c, d) => volumeHits(v, c, d))
def('--mount', 'value', (v, c, d) => mountHits(v, c, d))
def('--volumes-from', 'value', (_v, _c, d) => [unsafe('volume.host_path', `${d}: another container's volumes, which qm-stage cannot see`)])
def('--network --net', 'value', namespace('network'))
def('--pid', 'value', namespace('pid'))
def('--ipc', 'value', namespace('ipc'))
def('--uts', 'value', namespace('uts'))
def('--cgroupns', 'value', namespace('cgroup'))
def('--userns', 'value', namespace('user'))
def('--security-opt', 'value', securityOpt)
def('--seccomp-policy', 'value', (v, _c, d) => (v === 'image' ? [unsafe('seccomp.unconfined', `${d}: the image chooses its own seccomp profile`)] : []))
def('--oom-score-adj', 'value', (v, c, d) => (Number(v) < c.qmScore || !/^-?\d+$/.test(v) ? [unsafe('oom.nested_below_qm', `${d} < QM's ${c.qmScore}`)] : []))
def('--oom-kill-disable', 'flag', (v, _c, d) => (TRUE.test(v) ? [unsafe('oom.nested_below_qm', `${d}: the OOM killer may not pick this container`)] : []))
def('--rootfs', 'flag', (_v, _c, d) => [unsafe('raw.unchecked', `${d}: runs a directory of QM instead of the image`)])
def('--annotation', 'value', (v, _c, d) => {
  const hit = annotationHit(v)
  return hit ? [unsafe(hit.id, `${d}: ${hit.problem}`)] : []
})

/** podman run options in PodmanArgs (already split into words), each classified; a positional would become the image. */
export function classifyPodmanArgs(args: readonly string[], ctx: RawContext, key = 'PodmanArgs'): RawHit[] {
  const hits: RawHit[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (!arg.startsWith('-') || arg === '-' || arg === '--') {
      hits.push(invalid(`${key} ${arg}: not an option; podman would read it as the image, in place of the one qm-stage checks`))
      break
    }
    const long = arg.startsWith('--')
    const eq = long ? arg.indexOf('=') : -1
    let name = eq < 0 ? arg : arg.slice(0, eq)
    let value: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1)
    if (!long && arg.length > 2) {
      // -vSOURCE:DEST (a short option with its value attached), or grouped flags such as -it
      const short = OPTIONS[arg.slice(0, 2)]
      if (short?.[0] === 'value') [name, value] = [arg.slice(0, 2), arg.slice(2).replace(/^=/, '')]
      else {
        for (const c of arg.slice(1)) if (OPTIONS[`-${c}`]?.[0] !== 'flag') hits.push(unsafe('raw.unchecked', `${key} ${arg}: not options qm-stage knows`))
        continue
      }
    }
    const option = OPTIONS[name]
    if (!option) {
      hits.push(unsafe('raw.unchecked', `${key} ${name}: not a podman run option qm-stage can classify`))
      if (value === undefined && args[i + 1] !== undefined && !args[i + 1]!.startsWith('-')) i++
      continue
    }
    const [arity, judge] = option
    if (arity === 'value' && value === undefined) {
      value = args[++i]
      if (value === undefined) {
        hits.push(invalid(`${key} ${name}: needs a value`))
        break
      }
    }
    hits.push(...judge(value ?? 'true', ctx, `${key} ${name}${value === undefined ? '' : `=${value}`}`))
  }
  return hits
}
