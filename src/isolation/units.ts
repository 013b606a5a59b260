// The unit names inside QM that are already taken, and how systemd reads a unit name, in one place: a nested
// container (or a Quadlet placed through content) whose generated unit takes one of these names would replace
// that unit, or be replaced by it, and enabling or masking by another spelling must reach the same unit.
//
// How systemd and systemctl read names (systemd src/basic/unit-name.c unit_name_mangle, unit_name_template;
// src/core/load-fragment.c; systemd.unit(5) "Aliases", "Masking"):
//   - systemctl enable/disable/mask NAME without a unit type suffix means NAME.service.
//   - an instance a@i.service loads from a@i.service, else from the template a@.service: masking the template
//     masks every instance.
//   - an alias (a symlink in a unit directory, or [Install] Alias=) is the same unit under another name, and must
//     carry the same type suffix.
//   - a unit file that is empty, or a link to /dev/null, is masked.
import { UNIT_TYPES } from '../units/names.ts'

/** Unit directories of QM's system manager that content can write (systemd.unit(5) "Unit File Load Path"). */
export const UNIT_DIRS = ['/etc/systemd/system', '/usr/lib/systemd/system', '/usr/local/lib/systemd/system', '/lib/systemd/system'] as const

/** The unit systemctl means by `name`: NAME.service when it has no unit type suffix. */
export function canonicalUnit(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot > 0 && UNIT_TYPES.has(name.slice(dot + 1)) ? name : `${name}.service`
}

/** The template an instance loads from (a@i.service: a@.service), or undefined for a plain unit or a template. */
export function templateOf(unit: string): string | undefined {
  const at = unit.indexOf('@')
  const dot = unit.lastIndexOf('.')
  if (at < 0 || dot < at || at + 1 === dot) return undefined
  return `${unit.slice(0, at + 1)}${unit.slice(dot)}`
}

export const unitType = (unit: string) => unit.slice(unit.lastIndexOf('.') + 1)

/** Whether `masked` (or disabled) reaches the unit `enabled` names: the same name, or the template of its instance. */
export const reaches = (masked: string, enabled: string) => masked === enabled || templateOf(enabled) === masked

export interface TakenUnit {
  /** a unit name, a template (a@.service) covering its instances, or a prefix ending in '-' or '.' */
  unit: string
  /** who owns it */
  by: string
}

const taken = (by: string, units: string): TakenUnit[] => units.split(/\s+/).filter(Boolean).map((unit) => ({ unit, by }))

/**
 * Units inside QM that a nested container may not take, by their owner. The packages are QM's base set
 * (plan.ts aibBasePackages: systemd, podman, fuse-overlayfs, selinux-policy, procps-ng, bluechi-agent) and what
 * they pull in (dbus-broker). Prefixes stand for a package's whole namespace, which grows with its releases.
 */
export const QM_UNITS: readonly TakenUnit[] = [
  ...taken("BlueChi's agent, which qm-stage configures (/bluechi) and enables: QM's link to the host's controller",
    'bluechi-agent.service bluechi-agent.socket bluechi-proxy@.service bluechi-dep@.service bluechi-controller.service bluechi-controller.socket bluechi-'),
  ...taken("podman's own units in QM (the API socket and service, auto-update, restart, transient store cleanup)",
    'podman.service podman.socket podman-auto-update.service podman-auto-update.timer podman-restart.service podman-clean-transient.service podman-kube@.service'),
  ...taken("systemd's namespace in QM: its packages add systemd-* units in every release",
    'systemd- initrd- dbus-org.freedesktop.'),
  ...taken("systemd's own units in QM: its manager, logins, consoles and boot",
    'dbus.service dbus.socket dbus-broker.service emergency.service rescue.service debug-shell.service getty@.service serial-getty@.service ' +
    'container-getty@.service console-getty.service autovt@.service user@.service user-runtime-dir@.service modprobe@.service capsule@.service ' +
    'kmod-static-nodes.service ldconfig.service quotaon.service quotaon-root.service ' +
    'default.target multi-user.target graphical.target basic.target sysinit.target sockets.target timers.target paths.target ' +
    'network.target network-online.target network-pre.target local-fs.target remote-fs.target shutdown.target reboot.target poweroff.target halt.target ' +
    'rescue.target emergency.target getty.target final.target umount.target swap.target slices.target exit.target kexec.target'),
  ...taken('SELinux relabelling in QM (selinux-policy, policycoreutils)',
    'selinux-autorelabel.service selinux-autorelabel-mark.service selinux-check-proper-disable.service selinux-autorelabel.target'),
]

const isPrefix = (t: TakenUnit) => /[-.]$/.test(t.unit)
const TAKEN_PREFIXES = QM_UNITS.filter(isPrefix)
const TAKEN_NAMES = new Map(QM_UNITS.filter((t) => !isPrefix(t)).map((t) => [t.unit, t]))

/** Who already owns `unit` inside QM, or undefined when it is free. Asked for every unit a config makes: thousands. */
export function takenBy(unit: string): TakenUnit | undefined {
  const template = templateOf(unit)
  return TAKEN_NAMES.get(unit) ?? (template === undefined ? undefined : TAKEN_NAMES.get(template)) ?? TAKEN_PREFIXES.find((t) => unit.startsWith(t.unit))
}
