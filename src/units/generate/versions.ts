// What changes between the Quadlet generators of the podman releases qm-stage models. Every rule here was
// read from that release's podman-systemd.unit(5) and checked against the release's own generator in
// -dryrun mode (podman 4.9.5, 5.0.3, 5.2.5, 5.8.2). 5.1 is taken to behave as 5.0, which its manual says.

import type { Unquote } from '../lookup.ts'

/** The releases whose generator was run to check these rules, newest last. */
export const VERIFIED_PODMAN = ['4.9.5', '5.0.3', '5.2.5', '5.8.2'] as const
export const DEFAULT_PODMAN = '5.8.2'

/**
 * How a release finds drop-ins for NAME.container:
 *   none             drop-ins are not read at all (4.x), silently
 *   unit             only NAME.container.d/ (5.0, 5.1)
 *   root-first       also container.d/ and the dash-prefix dirs; a same-named file in a higher-priority
 *                    search directory wins, however broad its drop-in directory (5.2)
 *   specific-first   the same directories; the more specific drop-in directory wins, whatever the search
 *                    directory (5.8)
 */
export type DropinRule = 'none' | 'unit' | 'root-first' | 'specific-first'

export interface QuadletRules {
  /** the release asked for, as given */
  version: string
  /** the verified release whose behaviour is used */
  verified: (typeof VERIFIED_PODMAN)[number]
  dropins: DropinRule
  /** ExecStart's argument order and spelling: 'legacy' (4.9 to 5.2, a fixed order) or '5.8' (some groups in map order) */
  layout: 'legacy' | '5.8'
  /** the container is stopped by its --cidfile (legacy) rather than by name */
  cidfile: boolean
  /** Wants= and After=network-online.target in [Unit] (5.2 and later) */
  networkOnline: boolean
  /** [Unit] dependencies on other Quadlet files become their services (5.8) */
  translatesDependencies: boolean
  /** Environment=NAME without a value is passed as --env NAME (5.8; older releases drop it) */
  bareEnvironment: boolean
  /** Notify=healthy is understood (5.0 and later; 4.9 reads it as a boolean, false) */
  notifyHealthy: boolean
  /** a blank inside a quoted ExecStart word is written \x20 (5.8) rather than as itself */
  escapesBlank: boolean
  /** a line starting with ';' is a comment (5.8); older releases refuse the file */
  semicolonComments: boolean
  /** [Container] keys the release knows; any other key makes it refuse the unit */
  keys: ReadonlySet<string>
  /** how Lookup() unquotes a single value: 4.9 not at all, 5.0-5.2 every edge `"`, 5.8 one matching pair (src/units/lookup.ts) */
  unquote: Unquote
}

// [Container] keys, by the release that first accepts them (each checked by giving the generator a unit
// with only Image= and that key).
const KEYS_4_9 = `AddCapability AddDevice Annotation AutoUpdate ContainerName ContainersConfModule DNS DNSOption DNSSearch
  DropCapability Environment EnvironmentFile EnvironmentHost Exec ExposeHostPort GIDMap GlobalArgs Group HealthCmd
  HealthInterval HealthOnFailure HealthRetries HealthStartPeriod HealthStartupCmd HealthStartupInterval
  HealthStartupRetries HealthStartupSuccess HealthStartupTimeout HealthTimeout HostName IP IP6 Image Label LogDriver
  Mask Mount Network NoNewPrivileges Notify PidsLimit PodmanArgs PublishPort Pull ReadOnly ReadOnlyTmpfs RemapGid
  RemapUid RemapUidSize RemapUsers Rootfs RunInit SeccompProfile Secret SecurityLabelDisable SecurityLabelFileType
  SecurityLabelLevel SecurityLabelNested SecurityLabelType ShmSize SubGIDMap SubUIDMap Sysctl Timezone Tmpfs UIDMap
  Ulimit Unmask User UserNS VolatileTmp Volume WorkingDir`
const KEYS_5_0 = 'Entrypoint Pod StopTimeout'
const KEYS_5_2 = 'GroupAdd LogOpt NetworkAlias StopSignal'
const KEYS_5_8 = `AddHost AppArmor CgroupsMode HealthLogDestination HealthMaxLogCount HealthMaxLogSize HttpProxy Memory
  ReloadCmd ReloadSignal Retry RetryDelay ServiceName StartWithPod`

const words = (s: string) => s.split(/\s+/).filter(Boolean)
const keySet = (...groups: string[]) => new Set(groups.flatMap(words))

const FAMILIES = {
  '4.9.5': { dropins: 'none', layout: 'legacy', cidfile: true, networkOnline: false, keys: keySet(KEYS_4_9), unquote: 'none' },
  '5.0.3': { dropins: 'unit', layout: 'legacy', cidfile: true, networkOnline: false, keys: keySet(KEYS_4_9, KEYS_5_0), unquote: 'all' },
  '5.2.5': { dropins: 'root-first', layout: 'legacy', cidfile: true, networkOnline: true, keys: keySet(KEYS_4_9, KEYS_5_0, KEYS_5_2), unquote: 'all' },
  '5.8.2': { dropins: 'specific-first', layout: '5.8', cidfile: false, networkOnline: true, keys: keySet(KEYS_4_9, KEYS_5_0, KEYS_5_2, KEYS_5_8), unquote: 'pair' },
} as const

/** minor release -> the verified release whose rules it gets */
const MINORS: Readonly<Record<string, (typeof VERIFIED_PODMAN)[number]>> = {
  '4.9': '4.9.5',
  '5.0': '5.0.3',
  '5.1': '5.0.3',
  '5.2': '5.2.5',
  '5.8': '5.8.2',
}

export const ACCEPTED_PODMAN = Object.keys(MINORS)

/** The rules of a podman release given as X.Y or X.Y.Z, or undefined when it is not one qm-stage models. */
export function quadletRules(version: string = DEFAULT_PODMAN): QuadletRules | undefined {
  const m = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(version)
  const verified = m ? MINORS[`${Number(m[1])}.${Number(m[2])}`] : undefined
  if (!verified) return undefined
  const family = FAMILIES[verified]
  const modern = family.layout === '5.8'
  return {
    version,
    verified,
    ...family,
    translatesDependencies: modern,
    bareEnvironment: modern,
    notifyHealthy: verified !== '4.9.5',
    escapesBlank: modern,
    semicolonComments: modern,
  }
}
