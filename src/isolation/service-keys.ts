// [Service] keys of a Quadlet unit (a nested container, or qm.container's drop-ins), classified like the named
// keys. systemd applies them to the podman process that starts the container (and, for qm.container, on the
// host): they change who runs it, what it sees, its OOM order, scheduling and privileges, or run commands of
// their own outside the container. A key this table does not name is 'raw.unchecked': systemd adds keys in
// every release, and one qm-stage does not know may weaken isolation.
//   systemd.exec(5), systemd.service(5), systemd.kill(5), systemd.resource-control(5), systemd 256.
import { normaliseCapability, QM_DROPPED_CAPABILITIES, type UnsafeId } from '../isolation.ts'
import { splitValue } from '../units/split.ts'
import { deviceProblem } from './devices.ts'
import { hostPathProblem } from './host-paths.ts'
import { classifyPodmanArgs, type RawContext, type RawHit } from './raw-keys.ts'
import { own } from '../own.ts'

type Judge = (value: string, ctx: RawContext, detail: string, key: string) => RawHit[]

const unsafe = (id: UnsafeId, detail: string): RawHit => ({ kind: 'unsafe', id, detail })
const ok: Judge = () => []
const unchecked = (why: string): Judge => (_v, _c, d) => [unsafe('raw.unchecked', `${d}: ${why}`)]
const words = (v: string) => splitValue(v, 'words') ?? []

/** A command systemd runs itself: outside the container, with the service's privileges (root in QM, or on the host). */
const exec: Judge = (v, ctx, d) => [
  unsafe('raw.unchecked', `${d}: a command systemd runs ${ctx.scope === 'qm' ? 'on the host, as root,' : 'in QM, outside the container,'} which qm-stage cannot check`),
  ...podmanRun(v, ctx, d),
]

/** `podman [global options] run|create OPTIONS IMAGE ...` in a command line: its options, classified as PodmanArgs are. */
function podmanRun(v: string, ctx: RawContext, d: string): RawHit[] {
  const argv = splitValue(v.replace(/^[-@:+!]+/, ''), 'args') ?? []
  if (!/(^|\/)podman$/.test(argv[0] ?? '')) return []
  const sub = argv.findIndex((w, i) => i > 0 && (w === 'run' || w === 'create'))
  if (sub < 0) return []
  // the first word that is not an option is the image: what follows runs inside the container
  return classifyPodmanArgs(argv.slice(sub + 1), ctx, d).filter((h) => h.kind === 'unsafe')
}

/** BindPaths=[-]SRC[:DST[:OPTS]] ...: SRC becomes visible to podman at DST, so a volume of DST reaches SRC. */
const bindPaths: Judge = (v, ctx, d) =>
  words(v).flatMap((w) => {
    const src = w.replace(/^-/, '').split(':')[0]!
    const problem = hostPathProblem(src, ctx)
    return problem ? [unsafe('volume.host_path', `${d}: ${problem}`)] : []
  })

/** A file systemd opens or copies for the service (LoadCredential=ID:PATH, OpenFile=PATH[:NAME]). */
const filePath = (at: 'first' | 'second'): Judge => (v, ctx, d) => {
  const parts = v.split(':')
  const path = at === 'first' ? parts[0]! : parts.slice(1).join(':')
  if (!path.startsWith('/')) return [] // a credential from the system's credential store
  const problem = hostPathProblem(path, ctx)
  return problem ? [unsafe('volume.host_path', `${d}: ${problem}`)] : []
}

const deviceAllow: Judge = (v, ctx, d) => {
  const [dev] = words(v)
  if (!dev || !dev.startsWith('/dev/')) return dev?.match(/^(char|block)-/) ? [unsafe('device.host', `${d}: allows a whole class of devices`)] : []
  const problem = deviceProblem(dev, ctx)
  return problem ? [unsafe('device.host', `${d}: ${problem}`)] : []
}

const capabilities: Judge = (v, _c, d) => {
  const caps = words(v.replace(/^~/, '')).map((c) => normaliseCapability(c))
  if (v.startsWith('~')) return [] // a list of capabilities taken away
  return QM_DROPPED_CAPABILITIES.filter((cap) => caps.includes(cap)).map((cap) => unsafe(`capability.${cap}`, `${d}: grants CAP_${cap.toUpperCase()}`))
}

/** User=, Group=: root (QM's own podman) is the default; another user runs podman rootless, with its own configuration. */
const identity: Judge = (v, _c, d) =>
  ['', 'root', '0'].includes(v.trim()) ? [] : [unsafe('raw.unchecked', `${d}: podman runs as another user, with that user's storage, id ranges and containers.conf, which qm-stage does not check`)]

const realtime: Judge = (v, _c, d, key) => {
  const rt = key === 'IOSchedulingClass' ? /^(realtime|1)$/i.test(v.trim()) : /^(fifo|rr)$/i.test(v.trim())
  return rt ? [unsafe('sched.realtime', d)] : []
}

/** LimitRTPRIO=SOFT[:HARD]: a limit above 0 (or infinity) lets the processes run realtime without CAP_SYS_NICE. */
const rtLimit: Judge = (v, _c, d) =>
  v.trim() === '' || v.trim().split(':').every((n) => /^0+$/.test(n.trim())) ? [] : [unsafe('sched.realtime', `${d}: its processes may run realtime`)]

const namespacePath = (what: 'network' | 'ipc'): Judge => (_v, ctx, d) =>
  what === 'network' && ctx.scope === 'nested' ? [] : [unsafe(what === 'network' ? 'network.host' : 'namespace.host', `${d}: joins a namespace by path, which may be the ${ctx.scope === 'qm' ? "host's" : "QM's"}`)]

const TABLE: Record<string, Judge> = {}
const def = (keys: string, judge: Judge) => {
  for (const k of keys.split(/\s+/).filter(Boolean)) TABLE[k] = judge
}

// Restart, timing, logging, resource control and sandboxing that only takes away: nothing to weaken.
def(`Type ExitType RemainAfterExit GuessMainPID PIDFile BusName Restart RestartMode RestartSec RestartSteps RestartMaxDelaySec
  RestartPreventExitStatus RestartForceExitStatus SuccessExitStatus TimeoutSec TimeoutStartSec TimeoutStopSec TimeoutAbortSec
  TimeoutStartFailureMode TimeoutStopFailureMode RuntimeMaxSec RuntimeRandomizedExtraSec WatchdogSec WatchdogSignal NotifyAccess
  FileDescriptorStoreMax FileDescriptorStorePreserve OOMPolicy ReloadSignal Sockets USBFunctionDescriptors USBFunctionStrings
  KillMode KillSignal RestartKillSignal FinalKillSignal SendSIGKILL SendSIGHUP
  StandardInput StandardOutput StandardError StandardInputText StandardInputData SyslogIdentifier SyslogFacility SyslogLevel
  SyslogLevelPrefix LogLevelMax LogExtraFields LogRateLimitIntervalSec LogRateLimitBurst LogFilterPatterns LogNamespace
  TTYPath TTYReset TTYVHangup TTYVTDisallocate TTYRows TTYColumns IgnoreSIGPIPE
  WorkingDirectory UMask Nice CPUAffinity NUMAPolicy NUMAMask TimerSlackNSec CPUSchedulingResetOnFork IOSchedulingPriority
  LimitCPU LimitFSIZE LimitDATA LimitSTACK LimitCORE LimitRSS LimitNOFILE LimitAS LimitNPROC LimitMEMLOCK LimitLOCKS
  LimitSIGPENDING LimitMSGQUEUE LimitNICE LimitRTTIME
  CPUWeight StartupCPUWeight CPUQuota CPUQuotaPeriodSec AllowedCPUs StartupAllowedCPUs AllowedMemoryNodes StartupAllowedMemoryNodes
  MemoryAccounting MemoryMin MemoryLow StartupMemoryLow MemoryHigh StartupMemoryHigh MemoryMax StartupMemoryMax MemorySwapMax
  StartupMemorySwapMax MemoryZSwapMax StartupMemoryZSwapMax MemoryZSwapWriteback MemoryPressureWatch MemoryPressureThresholdSec
  TasksAccounting TasksMax IOAccounting IOWeight StartupIOWeight IODeviceWeight IOReadBandwidthMax IOWriteBandwidthMax
  IOReadIOPSMax IOWriteIOPSMax IODeviceLatencyTargetSec CPUAccounting ManagedOOMSwap ManagedOOMMemoryPressure
  ManagedOOMMemoryPressureLimit ManagedOOMMemoryPressureDurationSec ManagedOOMPreference CoredumpFilter CoredumpReceive
  Delegate DelegateSubgroup DisableControllers Slice DevicePolicy IPAccounting IPAddressAllow IPAddressDeny SocketBindAllow SocketBindDeny
  RestrictNetworkInterfaces
  PrivateTmp PrivateDevices PrivateNetwork PrivateIPC PrivateUsers PrivateMounts PrivatePIDs ProtectSystem ProtectHome ProtectHostname
  ProtectClock ProtectKernelTunables ProtectKernelModules ProtectKernelLogs ProtectControlGroups ProtectProc ProcSubset
  RestrictNamespaces RestrictRealtime RestrictSUIDSGID RestrictAddressFamilies RestrictFileSystems LockPersonality
  MemoryDenyWriteExecute NoNewPrivileges SystemCallFilter SystemCallErrorNumber SystemCallArchitectures SystemCallLog
  ReadOnlyPaths InaccessiblePaths NoExecPaths ExecPaths ReadWritePaths TemporaryFileSystem RemoveIPC KeyringMode
  RuntimeDirectory RuntimeDirectoryMode RuntimeDirectoryPreserve StateDirectory StateDirectoryMode CacheDirectory
  CacheDirectoryMode LogsDirectory LogsDirectoryMode ConfigurationDirectory ConfigurationDirectoryMode
  SetCredential SetCredentialEncrypted ImportCredential UnsetEnvironment SetLoginEnvironment Personality
  StartLimitBurst StartLimitInterval StartLimitIntervalSec StartLimitAction RebootArgument NonBlocking UtmpIdentifier UtmpMode
  PermissionsStartOnly RootDirectoryStartOnly ReadOnlyDirectories ReadWriteDirectories InaccessibleDirectories
  MemoryLimit CPUShares StartupCPUShares BlockIOAccounting BlockIOWeight StartupBlockIOWeight BlockIODeviceWeight
  BlockIOReadBandwidth BlockIOWriteBandwidth`, ok)
def('ExecStart ExecStartPre ExecStartPost ExecCondition ExecReload ExecStop ExecStopPost', exec)
def('User Group', identity)
def('DynamicUser SupplementaryGroups PAMName', unchecked('podman runs with another identity or session, which qm-stage does not check'))
def('AmbientCapabilities CapabilityBoundingSet', capabilities)
def('SecureBits', unchecked('keeps capabilities across a change of user'))
def('SELinuxContext SELinuxContextFromNet', (_v, _c, d) => [unsafe('selinux.label_disable', `${d}: podman runs under another SELinux context than QM gives it`)])
def('AppArmorProfile SmackProcessLabel', unchecked('another security label for podman, which qm-stage cannot judge'))
def('CPUSchedulingPolicy IOSchedulingClass', realtime)
def('LimitRTPRIO', rtLimit)
def('CPUSchedulingPriority', ok) // only with a realtime policy, which CPUSchedulingPolicy= is judged for
def('BindPaths BindReadOnlyPaths', bindPaths)
def('LoadCredential LoadCredentialEncrypted', filePath('second'))
def('OpenFile', filePath('first'))
def('DeviceAllow', deviceAllow)
def('NetworkNamespacePath', namespacePath('network'))
def('IPCNamespacePath', namespacePath('ipc'))
def('RootDirectory RootImage RootImageOptions RootHash RootHashSignature RootVerity RootEphemeral MountImages ExtensionImages ExtensionDirectories MountAPIVFS BindLogSockets',
  unchecked('podman runs from another root or with images mounted, which qm-stage cannot see'))
def('PassEnvironment', (v, _c, d) => (words(v).some((w) => /^CONTAINERS_/.test(w)) ? [unsafe('raw.unchecked', `${d}: podman takes its configuration from there, which qm-stage cannot check`)] : []))

/** The [Service] table: a judge for every key qm-stage knows, Environment= and the OOM score aside (raw-keys.ts). */
export function classifyServiceKey(key: string, value: string, ctx: RawContext): RawHit[] | undefined {
  const judge = own(TABLE, key)
  return judge?.(value, ctx, `${key}=${value}`, key)
}

