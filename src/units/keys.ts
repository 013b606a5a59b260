// Which keys are lists, and how their assignments combine. The one table both render and inspect use.
//
// Sources (read 2026-05; podman main c6580b4a5219 "6.0.0-dev", same rules in v5.6-v5.8; systemd main):
//   [Container], [Quadlet]  podman pkg/systemd/quadlet/quadlet.go: which UnitFile.Lookup* call reads each key,
//                           and groupsInfo[Container].SupportedKeys (an unlisted key makes Quadlet refuse the unit).
//   [Install]               podman cmd/quadlet/main.go reads WantedBy/RequiredBy/UpheldBy/Alias with LookupAllStrv;
//                           systemd src/shared/install.c reads them with config_parse_strv (empty resets) and
//                           Also= with config_parse_also (no reset).
//   [Unit], [Service]       systemd src/core/load-fragment-gperf.gperf.in (parser per key) and load-fragment.c:
//                           config_parse_unit_deps / *_mounts_for never reset; conditions and asserts reset on an
//                           empty value, and all Condition*= share one list (so do all Assert*=).
//                           systemd.unit(5): "Dependencies (After=, etc.) cannot be reset to an empty list".

/**
 * scalar     the last assignment wins (Quadlet Lookup/LookupLast; systemd single-value settings)
 * list       every assignment adds one item; an empty assignment clears the list (Quadlet LookupAll)
 * words      every assignment adds its blank-separated words; empty clears (Quadlet LookupAllStrv)
 * args       as words, with quotes and backslash escapes decoded; empty clears (LookupAllArgs/LookupAllKeyVal)
 * deps       as words, but an empty assignment is ignored: nothing removes an entry (systemd dependencies)
 * condition  one item per assignment; an empty assignment clears every Condition*= (or every Assert*=) key
 */
export type KeyKind = 'scalar' | 'list' | 'words' | 'args' | 'deps' | 'condition'

const kinds = (kind: KeyKind, keys: string): [string, KeyKind][] => keys.split(/\s+/).filter(Boolean).map((k) => [k, kind])

/** Every [Container] key Quadlet accepts, with how it reads it. */
export const CONTAINER_KEYS: ReadonlyMap<string, KeyKind> = new Map([
  ...kinds('words', 'AddCapability AddDevice DropCapability Sysctl UIDMap GIDMap RemapUid RemapGid LogOpt'),
  ...kinds('args', 'Annotation Environment EnvironmentFile GlobalArgs Label Mask Mount PodmanArgs Secret Unmask'),
  ...kinds('list', `AddHost ContainersConfModule DNS DNSOption DNSSearch ExposeHostPort GroupAdd Network
    NetworkAlias PublishPort Tmpfs Ulimit Volume`),
  // Exec is LookupLastArgs: the last line wins, then it is split like 'args'.
  ...kinds('scalar', `AppArmor AutoUpdate CgroupsMode ContainerName Entrypoint EnvironmentHost Exec Group
    HealthCmd HealthInterval HealthLogDestination HealthMaxLogCount HealthMaxLogSize HealthOnFailure HealthRetries
    HealthStartPeriod HealthStartupCmd HealthStartupInterval HealthStartupRetries HealthStartupSuccess
    HealthStartupTimeout HealthTimeout HostName HttpProxy IP IP6 Image LogDriver Memory NoNewPrivileges Notify
    PidsLimit Pod Pull ReadOnly ReadOnlyTmpfs ReloadCmd ReloadSignal RemapUidSize RemapUsers Retry RetryDelay
    Rootfs RunInit SeccompProfile SecurityLabelDisable SecurityLabelFileType SecurityLabelLevel
    SecurityLabelNested SecurityLabelType ServiceName ShmSize StartWithPod StopSignal StopTimeout SubGIDMap
    SubUIDMap Timezone User UserNS VolatileTmp WorkingDir`),
])

/** Every [Quadlet] key Quadlet accepts. */
export const QUADLET_KEYS: ReadonlyMap<string, KeyKind> = new Map([['DefaultDependencies', 'scalar']])

// [Unit], [Service] and [Install] keys that are not scalars; any key not named here is a scalar.
const UNIT_KEYS: ReadonlyMap<string, KeyKind> = new Map([
  ...kinds('deps', `After Before BindsTo BindTo Conflicts JoinsNamespaceOf OnFailure OnSuccess PartOf
    PropagatesReloadTo PropagateReloadTo PropagatesStopTo ReloadPropagatedFrom PropagateReloadFrom Requires
    Requisite StopPropagatedFrom Upholds Wants RequiresMountsFor WantsMountsFor`),
  ['Documentation', 'words'],
])

const SERVICE_KEYS: ReadonlyMap<string, KeyKind> = new Map([
  // One command / file / rule per line; DeviceAllow and the IO limits are per-device lists.
  ...kinds('list', `ExecCondition ExecStartPre ExecStart ExecStartPost ExecReload ExecStop ExecStopPost
    EnvironmentFile DeviceAllow IODeviceWeight IOReadBandwidthMax IOWriteBandwidthMax IOReadIOPSMax IOWriteIOPSMax`),
  ['Environment', 'args'],
  // Set-like settings (the ~ negation of CapabilityBoundingSet, SystemCallFilter ... is not interpreted here).
  ...kinds('words', `PassEnvironment UnsetEnvironment SupplementaryGroups ReadWritePaths ReadOnlyPaths
    InaccessiblePaths ExecPaths NoExecPaths BindPaths BindReadOnlyPaths TemporaryFileSystem RuntimeDirectory
    StateDirectory CacheDirectory LogsDirectory ConfigurationDirectory SuccessExitStatus RestartPreventExitStatus
    RestartForceExitStatus CapabilityBoundingSet AmbientCapabilities SystemCallFilter RestrictAddressFamilies
    IPAddressAllow IPAddressDeny`),
])

const INSTALL_KEYS: ReadonlyMap<string, KeyKind> = new Map([...kinds('words', 'WantedBy RequiredBy UpheldBy Alias'), ['Also', 'deps']])

// Maps, not records: the names come from unit files, and `constructor=` must not find Object.prototype's
const SECTIONS: ReadonlyMap<string, ReadonlyMap<string, KeyKind>> = new Map([
  ['Container', CONTAINER_KEYS],
  ['Quadlet', QUADLET_KEYS],
  ['Unit', UNIT_KEYS],
  ['Service', SERVICE_KEYS],
  ['Install', INSTALL_KEYS],
])

export function keyKind(section: string, key: string): KeyKind {
  if (section === 'Unit' && /^(Condition|Assert)./.test(key)) return 'condition'
  return SECTIONS.get(section)?.get(key) ?? 'scalar'
}

/** The family an empty Condition*= or Assert*= clears. */
export const conditionFamily = (key: string) => (key.startsWith('Assert') ? 'Assert' : 'Condition')

/** False for a key Quadlet rejects in its own sections ([Container], [Quadlet]); other sections are not checked. */
export function isQuadletKey(section: string, key: string): boolean {
  if (section === 'Container') return CONTAINER_KEYS.has(key)
  if (section === 'Quadlet') return QUADLET_KEYS.has(key)
  return true
}
