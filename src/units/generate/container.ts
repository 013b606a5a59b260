// [Container] keys -> the podman command line Quadlet writes, per release. The mapping of each key is
// podman-systemd.unit(5)'s table; the order, the spelling (--flag=value or --flag value) and the defaults were
// read off the output of each release's generator (`quadlet -dryrun`) for units setting every key.

import { posix } from 'node:path'
import { quadletBoolean, quadletLookup } from '../lookup.ts'
import type { EffectiveUnit } from '../merge.ts'
import { splitValue } from '../split.ts'
import type { QuadletRules } from './versions.ts'
import { byteOrder } from '../../byte-order.ts'
import { packed } from '../../packed.ts'

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

/** What an unset key gives: shared, and never added to (the layouts only concatenate). */
const NONE: readonly ArgGroup[] = Object.freeze([]) as readonly ArgGroup[]

/** The [Container] keys as a release's generator reads them, and the option groups they give. */
class Keys {
  readonly unit: EffectiveUnit
  readonly rules: QuadletRules
  /** --flag=value before 5.8 for the options that had it, --flag value after */
  readonly legacy: boolean
  /** the [Container] keys the unit sets: a unit sets a few of the hundred the layouts ask for */
  readonly present: ReadonlySet<string>
  constructor(unit: EffectiveUnit, rules: QuadletRules) {
    this.unit = unit
    this.rules = rules
    this.legacy = rules.layout === 'legacy'
    const present = new Set<string>()
    for (let i = 0; i < unit.keys.length; i++) if (unit.keys[i]!.section === 'Container') present.add(unit.keys[i]!.key)
    this.present = present
  }

  /** a single value as the release's Lookup() unquotes it (SeccompProfile="" is empty from 5.0 on) */
  scalar(key: string): string | undefined {
    const v = this.present.has(key) ? this.unit.get('Container', key) : undefined
    return v === undefined ? undefined : quadletLookup(v, this.rules.unquote)
  }
  list(key: string): string[] {
    return this.present.has(key) ? this.unit.list('Container', key) : []
  }
  bool(key: string): boolean | undefined {
    const v = this.present.has(key) ? this.unit.get('Container', key) : undefined
    return v === undefined ? undefined : quadletBoolean(v, this.rules.unquote)
  }
  opt(flag: string, value: string, eq = this.legacy): ArgGroup {
    return eq ? [`${flag}=${value}`] : [flag, value]
  }
  /** a group per item of a list key */
  groups(key: string, group: (item: string) => ArgGroup): readonly ArgGroup[] {
    return this.present.has(key) ? packed(this.list(key), group) : NONE
  }
  each(key: string, flag: string, eq = this.legacy): readonly ArgGroup[] {
    return this.groups(key, (v) => this.opt(flag, v, eq))
  }
  one(key: string, flag: string, eq = this.legacy): readonly ArgGroup[] {
    const v = this.scalar(key)
    return v === undefined ? NONE : [this.opt(flag, v, eq)]
  }
  /** `one` for each [key, flag] of `table` the unit sets, in the table's order */
  ones(table: readonly (readonly [string, string])[], eq = this.legacy): readonly ArgGroup[] {
    let out: ArgGroup[] | undefined
    for (let i = 0; i < table.length; i++) {
      const v = this.scalar(table[i]![0])
      if (v !== undefined) (out ??= []).push(this.opt(table[i]![1], v, eq))
    }
    return out ?? NONE
  }
  /** a single value written as `flag` `prefix`value (--security-opt seccomp=PATH) */
  prefixed(key: string, flag: string, prefix: string): readonly ArgGroup[] {
    const v = this.scalar(key)
    return v === undefined ? NONE : [[flag, prefix + v]]
  }
  flagBool(key: string, flag: string): readonly ArgGroup[] {
    const v = this.bool(key)
    return v === undefined ? NONE : [[v ? flag : `${flag}=false`]]
  }
  whenTrue(key: string, ...args: string[]): readonly ArgGroup[] {
    return this.bool(key) ? [args] : NONE
  }
  lower(key: string, flag: string): readonly ArgGroup[] {
    return this.groups(key, (v) => this.opt(flag, v.toLowerCase()))
  }
  secOpt(key: string, what: string): readonly ArgGroup[] {
    return this.groups(key, (v) => ['--security-opt', `${what}=${v}`])
  }
  /** Environment=, Label=, Annotation=: KEY=VALUE items, the last per key wins, written sorted by key */
  keyVal(key: string, flag: string, bare: boolean): readonly ArgGroup[] {
    if (!this.present.has(key)) return NONE
    const map = new Map<string, string>()
    for (const item of this.list(key)) {
      const eq = item.indexOf('=')
      if (eq === -1 && !bare) continue
      map.set(eq === -1 ? item : item.slice(0, eq), item)
    }
    return packed([...map.keys()].sort(byteOrder), (k) => [flag, map.get(k)!])
  }
}

/** The groups every layout places somewhere: computed once, from keys that need more than one lookup. */
interface Parts {
  head: readonly ArgGroup[]
  networks: string[]
  detach: readonly ArgGroup[]
  securityLabels: readonly ArgGroup[]
  labelParts: readonly ArgGroup[]
  devices: readonly ArgGroup[]
  seccomp: readonly ArgGroup[]
  userArg: readonly ArgGroup[]
  volumes: readonly ArgGroup[]
  autoUpdate: readonly ArgGroup[]
  env: readonly ArgGroup[]
  labels: readonly ArgGroup[]
  annotations: readonly ArgGroup[]
  envFiles: readonly ArgGroup[]
  mountArgs: readonly ArgGroup[]
  health: readonly ArgGroup[]
  tail: readonly ArgGroup[]
}

export function containerArgs(unit: EffectiveUnit, ctx: ContainerContext): ContainerArgs {
  const { rules } = ctx
  const k = new Keys(unit, rules)
  const { legacy } = k
  const errors: string[] = []
  const notModelled = NOT_MODELLED.filter((key) => k.present.has(key))

  const image = k.scalar('Image')
  const rootfs = k.scalar('Rootfs')
  if (image !== undefined && rootfs !== undefined) errors.push('the Image And Rootfs keys conflict can not be specified together')
  if (image === undefined && rootfs === undefined) errors.push('no Image or Rootfs key specified')
  if (image !== undefined && UNIT_REF.test(image)) notModelled.push('Image')
  if (rootfs !== undefined && UNIT_REF.test(rootfs)) notModelled.push('Rootfs')
  const user = k.scalar('User')
  const group = k.scalar('Group')
  if (group !== undefined && user === undefined) errors.push('invalid Group set without User')

  const resolve = (p: string) => (p.startsWith('.') ? posix.resolve(ctx.unitDir, p) : p)
  const mounts: string[] = []

  const volumes: ArgGroup[] = packed(k.list('Volume'), (v) => {
    const colon = v.indexOf(':')
    let source = colon === -1 ? '' : v.slice(0, colon)
    const rest = colon === -1 ? v : v.slice(colon)
    if (UNIT_REF.test(source)) notModelled.push('Volume')
    source = resolve(source)
    if (source.startsWith('/')) mounts.push(source)
    return ['-v', source + rest]
  })
  const mountArgs: ArgGroup[] = packed(k.list('Mount'), (m) => ['--mount', mountOption(m, resolve, mounts, () => notModelled.push('Mount'))])
  const networks = k.list('Network')
  if (networks.some((n) => UNIT_REF.test(n.split(':')[0]!))) notModelled.push('Network')

  const devices: ArgGroup[] = []
  for (const d of k.list('AddDevice')) {
    const optional = d.startsWith('-')
    const device = optional ? d.slice(1) : d
    if (!optional || ctx.deviceExists(device.split(':')[0]!)) devices.push(k.opt('--device', device))
  }

  const labelParts: ArgGroup[] = []
  for (let i = 0; i < LABEL_PARTS.length; i++) {
    const v = k.scalar(LABEL_PARTS[i]![0])
    if (v !== undefined) labelParts.push(['--security-opt', `label=${LABEL_PARTS[i]![1]}:${v}`])
  }

  const type = unit.get('Service', 'Type')
  const notify = k.scalar('Notify')
  const sdnotify = notify !== undefined && rules.notifyHealthy && notify.toLowerCase() === 'healthy' ? 'healthy' : k.bool('Notify') ? 'container' : 'conmon'
  if (type !== undefined && type !== 'notify' && type !== 'oneshot') errors.push(`invalid service Type '${type}'`)

  const exec = unit.get('Container', 'Exec') // split like a command line, quotes and all
  const execArgs = exec === undefined ? [] : (splitValue(exec, 'args') ?? [])
  const podmanArgs = k.list('PodmanArgs')
  const name = k.scalar('ContainerName') ?? 'systemd-%N'

  const parts: Parts = {
    head: [['run'], k.opt('--name', name), ...(rules.cidfile ? [['--cidfile=%t/%N.cid']] : []), ['--replace'], ['--rm']],
    networks,
    detach: type === 'oneshot' ? [] : [[`--sdnotify=${sdnotify}`], ['-d']],
    securityLabels: [
      ...k.whenTrue('SecurityLabelDisable', '--security-opt', legacy ? 'label:disable' : 'label=disable'),
      ...k.whenTrue('SecurityLabelNested', '--security-opt', legacy ? 'label:nested' : 'label=nested'),
    ],
    labelParts,
    devices,
    seccomp: k.prefixed('SeccompProfile', '--security-opt', 'seccomp='),
    userArg: user === undefined ? [] : group === undefined ? [['--user', user]] : [k.opt('--user', `${user}:${group}`)],
    volumes,
    autoUpdate: k.prefixed('AutoUpdate', '--label', 'io.containers.autoupdate='),
    env: k.keyVal('Environment', '--env', rules.bareEnvironment),
    labels: k.keyVal('Label', '--label', false),
    annotations: k.keyVal('Annotation', '--annotation', false),
    envFiles: packed(k.list('EnvironmentFile'), (f) => ['--env-file', resolve(f)]),
    mountArgs,
    health: k.ones(HEALTH, false),
    tail: [...(podmanArgs.length ? [podmanArgs] : []), ...(rootfs !== undefined ? [['--rootfs', rootfs]] : image !== undefined ? [[image]] : []), ...(execArgs.length ? [execArgs] : [])],
  }
  const global = packed(k.list('ContainersConfModule'), (m) => `--module=${m}`)
  for (const arg of k.list('GlobalArgs')) global.push(arg)
  const run = legacy ? legacyRun(k, parts) : currentRun(k, parts)
  return { name, global, run: run.filter((b) => b.groups.length > 0), mounts, errors, notModelled: [...new Set(notModelled)] }
}

const LABEL_PARTS = [
  ['SecurityLabelType', 'type'],
  ['SecurityLabelFileType', 'filetype'],
  ['SecurityLabelLevel', 'level'],
] as const

const fixed = (...groups: (readonly ArgGroup[])[]): ArgBlock => ({ groups: concat(groups), unordered: false })
const loose = (...groups: (readonly ArgGroup[])[]): ArgBlock => ({ groups: concat(groups), unordered: true })

/** 4.9 to 5.2: one fixed order. */
function legacyRun(k: Keys, p: Parts): ArgBlock[] {
  return [
    fixed(
      p.head,
      k.one('LogDriver', '--log-driver', false),
      k.each('LogOpt', '--log-opt', false),
      [['--cgroups=split']],
      k.one('Timezone', '--tz'),
      packed(p.networks, (n) => k.opt('--network', n)),
      k.each('NetworkAlias', '--network-alias', false),
      k.flagBool('RunInit', '--init'),
      p.detach,
      k.whenTrue('NoNewPrivileges', '--security-opt=no-new-privileges'),
      p.securityLabels,
      k.one('PidsLimit', '--pids-limit', false),
      p.labelParts,
      k.each('Ulimit', '--ulimit', false),
      p.devices,
      p.seccomp,
      k.each('DNS', '--dns'),
      k.each('DNSOption', '--dns-option'),
      k.each('DNSSearch', '--dns-search'),
      k.lower('DropCapability', '--cap-drop'),
      k.lower('AddCapability', '--cap-add'),
      k.one('ShmSize', '--shm-size'),
      k.one('Entrypoint', '--entrypoint', true),
      k.each('Sysctl', '--sysctl'),
      k.flagBool('ReadOnly', '--read-only'),
      k.flagBool('ReadOnlyTmpfs', '--read-only-tmpfs'),
      p.userArg,
      k.one('WorkingDir', '-w'),
      k.one('UserNS', '--userns', false),
      k.each('UIDMap', '--uidmap'),
      k.each('GIDMap', '--gidmap'),
      k.one('SubUIDMap', '--subuidname', false),
      k.one('SubGIDMap', '--subgidname', false),
      k.each('GroupAdd', '--group-add'),
      k.each('Tmpfs', '--tmpfs', false),
      p.volumes,
      p.autoUpdate,
      k.each('ExposeHostPort', '--expose'),
      k.each('PublishPort', '--publish', false),
      p.env,
      k.one('IP', '--ip', false),
      k.one('IP6', '--ip6', false),
      p.labels,
      p.annotations,
      k.secOpt('Mask', 'mask'),
      k.secOpt('Unmask', 'unmask'),
      p.envFiles,
      k.flagBool('EnvironmentHost', '--env-host'),
      k.each('Secret', '--secret', false),
      p.mountArgs,
      p.health,
      k.one('HostName', '--hostname', false),
      k.one('Pull', '--pull', false),
      k.one('StopSignal', '--stop-signal', false),
      k.one('StopTimeout', '--stop-timeout', false),
      p.tail,
    ),
  ]
}

/** 5.8: single-value options, then list options, then booleans, each a map in Go's random order, between fixed runs. */
const SINGLE_OPTIONS = [
  ['StopSignal', '--stop-signal'], ['StopTimeout', '--stop-timeout'], ['Pull', '--pull'], ['PidsLimit', '--pids-limit'], ['IP', '--ip'],
  ['Memory', '--memory'], ['Timezone', '--tz'], ['ShmSize', '--shm-size'], ['WorkingDir', '--workdir'], ['IP6', '--ip6'],
  ['HostName', '--hostname'], ['Retry', '--retry'], ['RetryDelay', '--retry-delay'],
] as const
const LIST_OPTIONS = [
  ['NetworkAlias', '--network-alias'], ['Ulimit', '--ulimit'], ['DNS', '--dns'], ['DNSOption', '--dns-option'], ['DNSSearch', '--dns-search'],
  ['GroupAdd', '--group-add'], ['AddHost', '--add-host'], ['Tmpfs', '--tmpfs'],
] as const

function currentRun(k: Keys, p: Parts): ArgBlock[] {
  const cgroups = k.scalar('CgroupsMode')
  const lists: ArgGroup[] = []
  for (let i = 0; i < LIST_OPTIONS.length; i++) {
    const key = LIST_OPTIONS[i]![0]
    if (!k.present.has(key)) continue
    const group: ArgGroup = []
    for (const v of k.list(key)) group.push(LIST_OPTIONS[i]![1], v)
    if (group.length) lists.push(group)
  }
  return [
    fixed(p.head, k.one('LogDriver', '--log-driver'), k.each('LogOpt', '--log-opt'), [cgroups === undefined ? ['--cgroups=split'] : ['--cgroups', cgroups]], k.one('Entrypoint', '--entrypoint', true)),
    loose(k.ones(SINGLE_OPTIONS)),
    loose(lists),
    loose(k.flagBool('EnvironmentHost', '--env-host'), k.flagBool('ReadOnlyTmpfs', '--read-only-tmpfs'), k.flagBool('RunInit', '--init'), k.flagBool('HttpProxy', '--http-proxy')),
    fixed(
      packed(p.networks, (n) => k.opt('--network', n)),
      p.detach,
      k.whenTrue('NoNewPrivileges', '--security-opt=no-new-privileges'),
      p.securityLabels,
      p.labelParts,
      k.prefixed('AppArmor', '--security-opt', 'apparmor='),
      p.devices,
      p.seccomp,
      k.lower('DropCapability', '--cap-drop'),
      k.lower('AddCapability', '--cap-add'),
      k.each('Sysctl', '--sysctl'),
      k.flagBool('ReadOnly', '--read-only'),
      p.userArg,
      k.one('UserNS', '--userns'),
      k.each('UIDMap', '--uidmap'),
      k.each('GIDMap', '--gidmap'),
      k.one('SubUIDMap', '--subuidname'),
      k.one('SubGIDMap', '--subgidname'),
      p.volumes,
      p.autoUpdate,
      k.each('ExposeHostPort', '--expose'),
      k.each('PublishPort', '--publish'),
    ),
    // environment, labels and annotations: one map of three lists
    loose(p.env.length ? [p.env.flat()] : [], p.labels.length ? [p.labels.flat()] : [], p.annotations.length ? [p.annotations.flat()] : []),
    fixed(k.secOpt('Mask', 'mask'), k.secOpt('Unmask', 'unmask'), p.envFiles, k.each('Secret', '--secret'), p.mountArgs, p.health, p.tail),
  ]
}


/** The groups of several lists, in order (Array.prototype.flat is several times slower, and this runs per unit). */
function concat(lists: readonly (readonly ArgGroup[])[]): ArgGroup[] {
  // indexed: a for-of loop allocates an iterator result per step until the optimizing compiler takes it over
  const out: ArgGroup[] = []
  for (let i = 0; i < lists.length; i++) {
    const list = lists[i]!
    for (let j = 0; j < list.length; j++) out.push(list[j]!)
  }
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
