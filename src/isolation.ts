/**
 * What weakens QM's isolation. render refuses these settings unless allow_unsafe names
 * them with a reason; inspect reports them in a built tree. One list for both.
 */
export const UNSAFE = {
  'capability.sys_boot': 'QM gets CAP_SYS_BOOT back: it can reboot the host',
  'capability.sys_resource': 'QM gets CAP_SYS_RESOURCE back: it can override resource limits and lower OOM scores',
  privileged: 'QM runs privileged: all capabilities and devices, no confinement',
  'network.host': "QM shares the host's network namespace",
  'selinux.label_disable': 'QM runs without its SELinux label (qm_t)',
  'selinux.no_labelling': 'QM files are not labelled qm_file_t at build time',
  'seccomp.default': "QM runs with podman's default seccomp profile: realtime scheduling is allowed",
  'seccomp.unconfined': 'QM runs without any seccomp filter',
  'read_only.off': "QM's root filesystem is writable on a read-only (image-mode) host",
  'volume.host_path': 'a sensitive host path is mounted into QM (or into a nested container)',
  'device.host': 'a sensitive host device is passed into QM (or into a nested container)',
  'namespace.host': 'a container shares a pid, ipc, uts or cgroup namespace with the host (or a nested one with QM)',
  'mask.off': 'kernel paths podman masks (/proc/kcore, /sys/firmware, ...) are visible or writable',
  'raw.unchecked': 'a raw setting qm-stage cannot classify: it may weaken isolation',
  'oom.qm_not_positive': "QM's OOM score is not above 0: the OOM killer may pick safety processes first",
  'oom.nested_below_qm': 'a nested container has a lower OOM score than QM itself',
  'oom.containers_below_qm': "containers.conf gives nested containers a lower OOM score than QM's",
  'sched.realtime': 'a realtime scheduling policy for QM or a container in it: it can starve the host\'s safety processes',
  'publish_port.all_interfaces': 'a QM port is published on every host interface: any network the host is on reaches QM',
} as const

export type UnsafeId = keyof typeof UNSAFE

/** Capabilities upstream qm.container drops (DropCapability=sys_boot sys_resource). */
export const QM_DROPPED_CAPABILITIES = ['sys_boot', 'sys_resource'] as const

/** Linux capabilities (capability.h, 6.x), lower case without CAP_, as podman accepts them. */
export const CAPABILITIES = new Set([
  'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap',
  'linux_immutable', 'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw', 'ipc_lock', 'ipc_owner',
  'sys_module', 'sys_rawio', 'sys_chroot', 'sys_ptrace', 'sys_pacct', 'sys_admin', 'sys_boot', 'sys_nice',
  'sys_resource', 'sys_time', 'sys_tty_config', 'mknod', 'lease', 'audit_write', 'audit_control', 'setfcap',
  'mac_override', 'mac_admin', 'syslog', 'wake_alarm', 'block_suspend', 'audit_read', 'perfmon', 'bpf',
  'checkpoint_restore',
])

export const normaliseCapability = (name: string) => name.toLowerCase().replace(/^cap_/, '')

// The host path and device policy lives in src/isolation/ (host-paths.ts, devices.ts), raw keys in raw-keys.ts.
