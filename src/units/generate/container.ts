// [Container] keys -> the podman command line Quadlet writes, per release. The mapping of each key is
// podman-systemd.unit(5)'s table; the order, the spelling (--flag=value or --flag value) and the defaults were
// read off the output of each release's generator (`quadlet -dryrun`) for units setting every key.

import { posix } from 'node:path'
import { quadletBoolean, quadletLookup } from '../lookup.ts'
import type { EffectiveUnit } from '../merge.ts'
import { splitValue } from '../split.ts'
import type { QuadletRules } from './versions.ts'
import { byteOrder } from '../../byte-order.ts'

/** One option and its value(s): the unit of reordering. */
export type ArgGroup = string[]

/** A run of groups; in an unordered block the 5.8 generator emits the groups in Go map order, which varies. */
export interface ArgBlock {
  groups: ArgGroup[]
  unordered: boolean
}

export interface ContainerContext {
  rules: QuadletRules
  /** directory of the unit file, for paths relative to it */
  unitDir: string
  /** whether a host device exists when the generator runs (AddDevice=-/dev/x adds it only then) */
  deviceExists: (path: string) => boolean
}

export interface ContainerArgs {
  /** the container's name (ContainerName=, else systemd-%N) */
  name: string
  /** options between `podman` and the subcommand (ContainersConfModule=, GlobalArgs=), also used by ExecStop */
  global: string[]
  /** `run` and everything after it, in blocks */
  run: ArgBlock[]
  /** [Unit] RequiresMountsFor= for every host path bind-mounted in */
  mounts: string[]
  /** why Quadlet refuses the unit */
  errors: string[]
  /** keys set here whose translation qm-stage does not model: the result is not exact */
  notModelled: string[]
}

const UNIT_REF = /\.(container|volume|network|image|build|pod|kube|artifact)$/

/** Keys qm-stage accepts but does not translate (they need other Quadlet files, or are deprecated). */
const NOT_MODELLED = ['Pod', 'StartWithPod', 'ReloadCmd', 'ReloadSignal', 'RemapUsers', 'RemapUid', 'RemapGid', 'RemapUidSize', 'VolatileTmp']

export function containerArgs(unit: EffectiveUnit, ctx: ContainerContext): ContainerArgs {
  const { rules } = ctx
  const legacy = rules.layout === 'legacy'
  const errors: string[] = []
  const notModelled = NOT_MODELLED.filter((k) => unit.find('Container', k))

  // a single value as the release's Lookup() unquotes it (SeccompProfile="" is empty from 5.0 on)
  const scalar = (key: string): string | undefined => {
    const v = unit.get('Container', key)
    return v === undefined ? undefined : quadletLookup(v, rules.unquote)
  }
  const list = (key: string): string[] => unit.list('Container', key)
  const bool = (key: string): boolean | undefined => {
    const v = unit.get('Container', key)
    return v === undefined ? undefined : quadletBoolean(v, rules.unquote)
  }
  // --flag=value before 5.8 for the options that had it, --flag value after
  const opt = (flag: string, value: string, eq = legacy): ArgGroup => (eq ? [`${flag}=${value}`] : [flag, value])
  const each = (key: string, flag: string, eq = legacy): ArgGroup[] => list(key).map((v) => opt(flag, v, eq))
  const one = (key: string, flag: string, eq = legacy): ArgGroup[] => {
    const v = scalar(key)
    return v === undefined ? [] : [opt(flag, v, eq)]
  }
  const flagBool = (key: string, flag: string): ArgGroup[] => {
    const v = bool(key)
    return v === undefined ? [] : [[v ? flag : `${flag}=false`]]
  }
  const whenTrue = (key: string, ...args: string[]): ArgGroup[] => (bool(key) ? [args] : [])
  const lower = (key: string, flag: string): ArgGroup[] => list(key).map((v) => opt(flag, v.toLowerCase()))

  const image = scalar('Image')
  const rootfs = scalar('Rootfs')
  if (image !== undefined && rootfs !== undefined) errors.push('the Image And Rootfs keys conflict can not be specified together')
  if (image === undefined && rootfs === undefined) errors.push('no Image or Rootfs key specified')
  for (const [key, value] of [['Image', image], ['Rootfs', rootfs]] as const) {
    if (value !== undefined && UNIT_REF.test(value)) notModelled.push(key)
  }
  const user = scalar('User')
  const group = scalar('Group')
  if (group !== undefined && user === undefined) errors.push('invalid Group set without User')

  const resolve = (p: string) => (p.startsWith('.') ? posix.resolve(ctx.unitDir, p) : p)
  const mounts: string[] = []

  const volumes: ArgGroup[] = list('Volume').map((v) => {
    const colon = v.indexOf(':')
    let source = colon === -1 ? '' : v.slice(0, colon)
    const rest = colon === -1 ? v : v.slice(colon)
    if (UNIT_REF.test(source)) notModelled.push('Volume')
    source = resolve(source)
    if (source.startsWith('/')) mounts.push(source)
    return ['-v', source + rest]
  })
  const mountArgs: ArgGroup[] = list('Mount').map((m) => ['--mount', mountOption(m, resolve, mounts, () => notModelled.push('Mount'))])
  const networks = list('Network')
  if (networks.some((n) => UNIT_REF.test(n.split(':')[0]!))) notModelled.push('Network')

  const devices: ArgGroup[] = list('AddDevice').flatMap((d) => {
    const optional = d.startsWith('-')
    const device = optional ? d.slice(1) : d
    if (optional && !ctx.deviceExists(device.split(':')[0]!)) return []
    return [opt('--device', device)]
  })

  // Environment=, Label=, Annotation=: KEY=VALUE items, the last per key wins, written sorted by key
  const keyVal = (key: string, flag: string, bare: boolean): ArgGroup[] => {
    const map = new Map<string, string>()
    for (const item of list(key)) {
      const eq = item.indexOf('=')
      if (eq === -1 && !bare) continue
      map.set(eq === -1 ? item : item.slice(0, eq), item)
    }
    return [...map.keys()].sort(byteOrder).map((k) => [flag, map.get(k)!])
  }
  const env = keyVal('Environment', '--env', rules.bareEnvironment)
  const labels = keyVal('Label', '--label', false)
  const annotations = keyVal('Annotation', '--annotation', false)

  const securityLabels: ArgGroup[] = [
    ...whenTrue('SecurityLabelDisable', '--security-opt', legacy ? 'label:disable' : 'label=disable'),
    ...whenTrue('SecurityLabelNested', '--security-opt', legacy ? 'label:nested' : 'label=nested'),
  ]
  const labelParts: ArgGroup[] = (
    [
      ['SecurityLabelType', 'type'],
      ['SecurityLabelFileType', 'filetype'],
      ['SecurityLabelLevel', 'level'],
    ] as const
  ).flatMap(([key, part]) => {
    const v = scalar(key)
    return v === undefined ? [] : [['--security-opt', `label=${part}:${v}`]]
  })
  const seccomp = one('SeccompProfile', '--security-opt', false).map(([f, v]) => [f!, `seccomp=${v}`])
  const userArg: ArgGroup[] = user === undefined ? [] : group === undefined ? [['--user', user]] : [opt('--user', `${user}:${group}`)]
  const autoUpdate = one('AutoUpdate', '--label', false).map(([f, v]) => [f!, `io.containers.autoupdate=${v}`])
  const secOpt = (key: string, what: string): ArgGroup[] => list(key).map((v) => ['--security-opt', `${what}=${v}`])
  const health: ArgGroup[] = HEALTH.flatMap(([key, flag]) => one(key, flag, false))

  const type = unit.get('Service', 'Type')
  const notify = scalar('Notify')
  const sdnotify = notify !== undefined && rules.notifyHealthy && notify.toLowerCase() === 'healthy' ? 'healthy' : bool('Notify') ? 'container' : 'conmon'
  const detach: ArgGroup[] = type === 'oneshot' ? [] : [[`--sdnotify=${sdnotify}`], ['-d']]
  if (type !== undefined && type !== 'notify' && type !== 'oneshot') errors.push(`invalid service Type '${type}'`)

  const exec = unit.get('Container', 'Exec') // split like a command line, quotes and all
  const execArgs = exec === undefined ? [] : (splitValue(exec, 'args') ?? [])
  const podmanArgs = list('PodmanArgs')
  const tail: ArgGroup[] = [...(podmanArgs.length ? [podmanArgs] : []), ...(rootfs !== undefined ? [['--rootfs', rootfs]] : image !== undefined ? [[image]] : []), ...(execArgs.length ? [execArgs] : [])]

  const name = scalar('ContainerName') ?? 'systemd-%N'
  const head: ArgGroup[] = [['run'], opt('--name', name), ...(rules.cidfile ? [['--cidfile=%t/%N.cid']] : []), ['--replace'], ['--rm']]
  const global = [...list('ContainersConfModule').map((m) => `--module=${m}`), ...list('GlobalArgs')]

  const fixed = (...groups: ArgGroup[][]): ArgBlock => ({ groups: concat(groups), unordered: false })
  const loose = (...groups: ArgGroup[][]): ArgBlock => ({ groups: concat(groups), unordered: true })

  let run: ArgBlock[]
  if (legacy) {
    run = [
      fixed(
        head,
        one('LogDriver', '--log-driver', false),
        each('LogOpt', '--log-opt', false),
        [['--cgroups=split']],
        one('Timezone', '--tz'),
        networks.map((n) => opt('--network', n)),
        each('NetworkAlias', '--network-alias', false),
        flagBool('RunInit', '--init'),
        detach,
        whenTrue('NoNewPrivileges', '--security-opt=no-new-privileges'),
        securityLabels,
        one('PidsLimit', '--pids-limit', false),
        labelParts,
        each('Ulimit', '--ulimit', false),
        devices,
        seccomp,
        each('DNS', '--dns'),
        each('DNSOption', '--dns-option'),
        each('DNSSearch', '--dns-search'),
        lower('DropCapability', '--cap-drop'),
        lower('AddCapability', '--cap-add'),
        one('ShmSize', '--shm-size'),
        one('Entrypoint', '--entrypoint', true),
        each('Sysctl', '--sysctl'),
        flagBool('ReadOnly', '--read-only'),
        flagBool('ReadOnlyTmpfs', '--read-only-tmpfs'),
        userArg,
        one('WorkingDir', '-w'),
        one('UserNS', '--userns', false),
        each('UIDMap', '--uidmap'),
        each('GIDMap', '--gidmap'),
        one('SubUIDMap', '--subuidname', false),
        one('SubGIDMap', '--subgidname', false),
        each('GroupAdd', '--group-add'),
        each('Tmpfs', '--tmpfs', false),
        volumes,
        autoUpdate,
        each('ExposeHostPort', '--expose'),
        each('PublishPort', '--publish', false),
        env,
        one('IP', '--ip', false),
        one('IP6', '--ip6', false),
        labels,
        annotations,
        secOpt('Mask', 'mask'),
        secOpt('Unmask', 'unmask'),
        list('EnvironmentFile').map((f) => ['--env-file', resolve(f)]),
        flagBool('EnvironmentHost', '--env-host'),
        each('Secret', '--secret', false),
        mountArgs,
        health,
        one('HostName', '--hostname', false),
        one('Pull', '--pull', false),
        one('StopSignal', '--stop-signal', false),
        one('StopTimeout', '--stop-timeout', false),
        tail,
      ),
    ]
  } else {
    const cgroups = scalar('CgroupsMode')
    run = [
      fixed(head, one('LogDriver', '--log-driver'), each('LogOpt', '--log-opt'), [cgroups === undefined ? ['--cgroups=split'] : ['--cgroups', cgroups]], one('Entrypoint', '--entrypoint', true)),
      // single-value options, then list options, then booleans: three maps, each in Go's random order
      loose(
        ...[
          ['StopSignal', '--stop-signal'], ['StopTimeout', '--stop-timeout'], ['Pull', '--pull'], ['PidsLimit', '--pids-limit'], ['IP', '--ip'],
          ['Memory', '--memory'], ['Timezone', '--tz'], ['ShmSize', '--shm-size'], ['WorkingDir', '--workdir'], ['IP6', '--ip6'],
          ['HostName', '--hostname'], ['Retry', '--retry'], ['RetryDelay', '--retry-delay'],
        ].map(([k, f]) => one(k!, f!)),
      ),
      loose(
        ...[
          ['NetworkAlias', '--network-alias'], ['Ulimit', '--ulimit'], ['DNS', '--dns'], ['DNSOption', '--dns-option'], ['DNSSearch', '--dns-search'],
          ['GroupAdd', '--group-add'], ['AddHost', '--add-host'], ['Tmpfs', '--tmpfs'],
        ].map(([k, f]) => (list(k!).length ? [list(k!).flatMap((v) => [f!, v])] : [])),
      ),
      loose(flagBool('EnvironmentHost', '--env-host'), flagBool('ReadOnlyTmpfs', '--read-only-tmpfs'), flagBool('RunInit', '--init'), flagBool('HttpProxy', '--http-proxy')),
      fixed(
        networks.map((n) => opt('--network', n)),
        detach,
        whenTrue('NoNewPrivileges', '--security-opt=no-new-privileges'),
        securityLabels,
        labelParts,
        one('AppArmor', '--security-opt').map(([f, v]) => [f!, `apparmor=${v}`]),
        devices,
        seccomp,
        lower('DropCapability', '--cap-drop'),
        lower('AddCapability', '--cap-add'),
        each('Sysctl', '--sysctl'),
        flagBool('ReadOnly', '--read-only'),
        userArg,
        one('UserNS', '--userns'),
        each('UIDMap', '--uidmap'),
        each('GIDMap', '--gidmap'),
        one('SubUIDMap', '--subuidname'),
        one('SubGIDMap', '--subgidname'),
        volumes,
        autoUpdate,
        each('ExposeHostPort', '--expose'),
        each('PublishPort', '--publish'),
      ),
      // environment, labels and annotations: one map of three lists
      loose(env.length ? [env.flat()] : [], labels.length ? [labels.flat()] : [], annotations.length ? [annotations.flat()] : []),
      fixed(
        secOpt('Mask', 'mask'),
        secOpt('Unmask', 'unmask'),
        list('EnvironmentFile').map((f) => ['--env-file', resolve(f)]),
        each('Secret', '--secret'),
        mountArgs,
        health,
        tail,
      ),
    ]
  }
  return { name, global, run: run.filter((b) => b.groups.length > 0), mounts, errors, notModelled: [...new Set(notModelled)] }
}


/** The groups of several lists, in order (Array.prototype.flat is several times slower, and this runs per unit). */
function concat(lists: readonly ArgGroup[][]): ArgGroup[] {
  const out: ArgGroup[] = []
  for (const list of lists) for (const group of list) out.push(group)
  return out
}

const HEALTH: readonly (readonly [string, string])[] = [
  ['HealthCmd', '--health-cmd'],
  ['HealthInterval', '--health-interval'],
  ['HealthLogDestination', '--health-log-destination'],
  ['HealthMaxLogCount', '--health-max-log-count'],
  ['HealthMaxLogSize', '--health-max-log-size'],
  ['HealthOnFailure', '--health-on-failure'],
  ['HealthRetries', '--health-retries'],
  ['HealthStartPeriod', '--health-start-period'],
  ['HealthStartupCmd', '--health-startup-cmd'],
  ['HealthStartupInterval', '--health-startup-interval'],
  ['HealthStartupRetries', '--health-startup-retries'],
  ['HealthStartupSuccess', '--health-startup-success'],
  ['HealthStartupTimeout', '--health-startup-timeout'],
  ['HealthTimeout', '--health-timeout'],
]

/**
 * A --mount value as Quadlet rewrites it: the source of a bind mount (source= or src=) is written source=,
 * made absolute against the unit's directory, and required mounted; other fields stay as they are.
 */
function mountOption(value: string, resolve: (p: string) => string, mounts: string[], unitRef: () => void): string {
  const fields = value.split(',')
  const type = fields.find((f) => f.startsWith('type='))?.slice(5)
  return fields
    .map((f) => {
      const m = /^(source|src)=(.*)$/.exec(f)
      if (!m) return f
      if (UNIT_REF.test(m[2]!)) unitRef()
      if (type !== 'bind') return f
      const source = resolve(m[2]!)
      if (source.startsWith('/')) mounts.push(source)
      return `source=${source}`
    })
    .join(',')
}
