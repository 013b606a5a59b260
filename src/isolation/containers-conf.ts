// containers.conf settings inside QM, classified like the named keys: a drop-in (containers.conf.d,
// containers.rootful.conf.d, ...) or the vendor file placed through content, and in inspect every file QM's
// podman reads, set defaults for every nested container. Keys are TOML `table.key` names
// (containers.conf(5), containers-common 0.60). A key this table does not name is 'raw.unchecked'.
import type { UnsafeId } from '../isolation.ts'
import { annotationHit } from './devices.ts'
import { hostPathProblem } from './host-paths.ts'
import { capabilityHits, deviceHits, mountHits, namespace, seccompHits, volumeHits, type RawContext, type RawHit } from './raw-keys.ts'
import { own } from '../own.ts'

/** Where QM's podman (rootful, and rootless for QM's users) reads containers.conf, in QM's namespace. */
export const CONTAINERS_CONF_FILES = /^\/(etc|usr\/share)\/containers\/(containers\.conf|containers\.(conf|rootful\.conf|rootless\.conf)\.d\/(\d+\/)?[^/]+\.conf|containers\.rootless\.conf)$/

type Value = unknown
type Judge = (value: Value, ctx: RawContext, detail: string) => RawHit[]

const unsafe = (id: UnsafeId, detail: string): RawHit => ({ kind: 'unsafe', id, detail })
/** A value as text, whatever TOML made of it (smol-toml's tables have no prototype, so String() throws). */
const text = (v: Value): string => (typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : typeof v === 'object' && v !== null ? shown(v) : String(v))
const shown = (v: Value): string => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v)
const list = (v: Value): string[] => (Array.isArray(v) ? v.map(text) : [text(v)])
const ok: Judge = () => []
const unchecked = (why: string): Judge => (_v, _c, d) => [unsafe('raw.unchecked', `${d}: ${why}`)]
const each = (f: (item: string, ctx: RawContext, detail: string) => RawHit[]): Judge => (v, ctx, d) => list(v).flatMap((i) => f(i, ctx, d))
const containersEnv: Judge = (v, _c, d) =>
  list(v).some((e) => /^CONTAINERS_/.test(e)) ? [unsafe('raw.unchecked', `${d}: podman takes its configuration from there, which qm-stage cannot check`)] : []

const TABLE: Record<string, Judge> = {}
const def = (keys: string, judge: Judge) => {
  for (const k of keys.split(/\s+/).filter(Boolean)) TABLE[k] = judge
}

def(`containers.apparmor_profile containers.base_hosts_file containers.cgroups containers.cgroup_conf containers.container_name_as_hostname
  containers.default_sysctls containers.default_ulimits containers.dns_options containers.dns_searches containers.dns_servers
  containers.env_host containers.host_containers_internal_ip containers.http_proxy containers.init containers.interface_name
  containers.keyring containers.label_users containers.log_driver containers.log_path containers.log_size_max containers.log_tag
  containers.no_hosts containers.pids_limit containers.prepare_volume_on_create containers.read_only
  containers.shm_size containers.tz containers.umask containers.userns_size
  engine.add_compression engine.cgroup_manager engine.compat_api_enforce_docker_hub engine.compose_providers engine.compose_warning_logs
  engine.compression_format engine.compression_level engine.database_backend engine.detach_keys engine.enable_port_reservation
  engine.events_logfile_path engine.events_logfile_max_size engine.events_logger engine.events_container_create_inspect_data
  engine.healthcheck_events engine.image_build_format engine.image_copy_tmp_dir engine.image_default_format engine.image_default_transport
  engine.image_parallel_copies engine.image_volume_mode engine.infra_image engine.kube_generate_type engine.lock_type
  engine.multi_image_archive engine.namespace engine.num_locks engine.pod_exit_policy engine.pull_policy engine.retry engine.retry_delay
  engine.service_timeout engine.stop_timeout engine.exit_command_delay engine.volume_plugin_timeout engine.chown_copied_files
  network.network_backend network.firewall_driver network.default_network network.default_subnet network.default_subnet_pools
  network.default_rootless_network_cmd network.network_config_dir network.dns_bind_port network.pasta_options`, ok)
def('containers.env engine.env', containersEnv)
def('containers.oom_score_adj', (v, c, d) =>
  typeof v === 'number' && Number.isInteger(v) && v >= c.qmScore ? [] : [unsafe('oom.containers_below_qm', `${d} < QM's ${c.qmScore}`)])
// the machine, farm and podmansh tables configure other commands, not the containers QM runs
def('machine farms podmansh', ok)
def('containers.netns', (v, c, d) => namespace('network')(text(v), c, d))
def('containers.pidns', (v, c, d) => namespace('pid')(text(v), c, d))
def('containers.ipcns', (v, c, d) => namespace('ipc')(text(v), c, d))
def('containers.utsns', (v, c, d) => namespace('uts')(text(v), c, d))
def('containers.cgroupns', (v, c, d) => namespace('cgroup')(text(v), c, d))
def('containers.userns', (v, c, d) => namespace('user')(text(v), c, d))
def('containers.privileged', (v, _c, d) => (v === true ? [unsafe('privileged', `${d}: every container runs privileged`)] : []))
def('containers.label', (v, _c, d) => (v === false ? [unsafe('selinux.label_disable', `${d}: containers run without an SELinux label`)] : []))
def('containers.seccomp_profile', (v, c, d) => seccompHits(text(v) === '' ? 'unconfined' : text(v), c, d))
def('containers.default_capabilities', (v, _c, d) => capabilityHits(list(v), d))
def('containers.devices', each((i, c, d) => deviceHits(i, c, d)))
def('containers.volumes', each((i, c, d) => volumeHits(i, c, d)))
def('containers.mounts', each((i, c, d) => mountHits(i, c, d)))
def('containers.annotations', each((i, _c, d) => {
  const hit = annotationHit(i)
  return hit ? [unsafe(hit.id, `${d}: ${hit.problem}`)] : []
}))
// bind-mounted into every container run with --init
def('containers.init_path', (v, c, d) => {
  const problem = hostPathProblem(text(v), c)
  return problem ? [unsafe('volume.host_path', `${d}: ${problem}`)] : []
})
def('engine.cdi_spec_dirs', (_v, _c, d) => [unsafe('device.host', `${d}: CDI specs add devices and mounts qm-stage cannot see`)])
def(`engine.runtime engine.runtimes engine.runtime_supports_json engine.runtime_supports_kvm engine.runtime_supports_nocgroups
  engine.conmon_path engine.conmon_env_vars engine.helper_binaries_dir engine.hooks_dir engine.infra_command engine.network_cmd_path
  engine.network_cmd_options engine.no_pivot_root engine.static_dir engine.tmp_dir engine.volume_path engine.volume_plugins
  engine.active_service engine.remote engine.service_destinations engine.podmansh_timeout network.cni_plugin_dirs network.netavark_plugin_dirs
  secrets.driver secrets.opts`,
  unchecked('chooses the programs, hooks, plugins, stores or remote services podman uses, which qm-stage cannot check'))

/** One `table.key = value` of a containers.conf file, classified; sub-tables (engine.runtimes.crun) by their table. */
export function classifyContainersConfKey(key: string, value: Value, ctx: RawContext): RawHit[] {
  // podman's TOML decoder (BurntSushi/toml) matches keys to its fields ignoring case: PIDNS is pidns
  const lower = key.toLowerCase()
  const parts = lower.split('.')
  const judge = own(TABLE, lower) ?? own(TABLE, parts.slice(0, 2).join('.')) ?? own(TABLE, parts[0]!)
  const detail = `${key} = ${shown(value)}`
  // podman's settings are scalars and lists of scalars: a table where it wants one of those fails its decoder
  if (Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object' && !(v instanceof Date)) && !/^(network\.default_subnet_pools|engine\.)/.test(lower)) {
    return [{ kind: 'invalid', message: `${key}: a list of tables, where podman reads a list of strings` }]
  }
  return judge ? judge(value, ctx, detail) : [unsafe('raw.unchecked', `${detail}: a containers.conf key qm-stage does not know: it may weaken isolation`)]
}

/** Every key of a parsed containers.conf, flattened to `table.key` (arrays of tables count as values). */
export function containersConfEntries(doc: Record<string, unknown>, prefix = ''): [string, Value][] {
  return Object.entries(doc).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) ? containersConfEntries(v as Record<string, unknown>, `${prefix}${k}.`) : [[`${prefix}${k}`, v] as [string, Value]],
  )
}
