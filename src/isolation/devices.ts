// Devices passed into QM (qm.container AddDevice=, podman --device) and into nested containers, read the way
// podman reads them, then classified by one table. An allow list: a device no row names is refused, because
// /dev holds storage under many names (LVM's /dev/VG/LV, /dev/disk/by-*, /dev/block/MAJ:MIN, ...).
import { own } from '../own.ts'
import { canonicalHostPath, expandUnitValue, type PathContext } from './host-paths.ts'
import type { UnsafeId } from '../isolation.ts'
import { readTable, verdictOf, words, type Verdict } from './table.ts'

export interface DeviceSpec {
  /** leading '-': Quadlet skips a device that does not exist */
  optional: boolean
  host: string
  container?: string
  permissions?: string
}

/**
 * `[-]HOST[:CONTAINER][:PERMISSIONS]` as podman's ParseDevice splits it: two parts are HOST:PERMISSIONS when
 * the second is a valid mode (r, w, m), else HOST:CONTAINER.
 */
export function splitDevice(spec: string): DeviceSpec | undefined {
  const optional = spec.startsWith('-')
  const parts = (optional ? spec.slice(1) : spec).split(':')
  const mode = (s: string | undefined) => s !== undefined && /^[rwm]{1,3}$/.test(s)
  if (parts.length > 3 || parts[0] === '') return undefined
  if (parts.length === 3) return mode(parts[2]) ? { optional, host: parts[0]!, container: parts[1]!, permissions: parts[2]! } : undefined
  if (parts.length === 2) return mode(parts[1]) ? { optional, host: parts[0]!, permissions: parts[1]! } : { optional, host: parts[0]!, container: parts[1]! }
  return { optional, host: parts[0]! }
}

/** A CDI device name (vendor.com/class=name): its spec file, not qm-stage, decides what it adds. */
export const isCdiName = (s: string) => /^[A-Za-z0-9][A-Za-z0-9.-]*\/[A-Za-z0-9][A-Za-z0-9._-]*=/.test(s)

export interface DeviceClass {
  /** matched against the canonical host path, whole */
  pattern: RegExp
  verdict: Verdict
  name: string
  why: string
}

/**
 * The device policy; the first matching row wins, a device no row matches is refused. The devices of a row are
 * regular expressions for the path below /dev, separated by blanks.
 */
const DEVICE_TABLE = String.raw`
allow  | by design | kvm fuse net/tun | upstream's qm.container and qm-kvm add them (virtual machines, FUSE mounts, tap networking)
allow  | cameras | video\d+ media\d+ v4l-subdev\d+ v4l(?:/.+)? | qm-mount-bind-video adds /dev/video0 (cameras, V4L2 pipelines)
allow  | sound | snd(?:/.+)? | qm-sound's oci hook adds them (org.containers.qm.device.audio)
allow  | input | input(?:/.+)? | QM's input drop-in and oci hook add them (org.containers.qm.device.input)
allow  | graphics | dri(?:/.+)? | the GPU render nodes QM's Wayland clients use (org.containers.qm.wayland-client.gpu)
allow  | tuners | dvb(?:/.+)? radio\d+ | QM's oci hook adds them (org.containers.qm.device.dvb, .radio)
allow  | USB serial | ttyUSB\d+ ttyACM\d+ | USB serial adapters; QM's oci hook adds them (org.containers.qm.device.ttyUSB)
allow  | pseudo-device | null zero full random urandom tty | podman gives every container these; they reach nothing of the host
refuse | storage | sd[a-z]+\d* vd[a-z]+\d* xvd[a-z]+\d* hd[a-z]+\d* nvme\d+(?:n\d+)?(?:p\d+)? nvme-fabrics
    mmcblk\d+(?:p\d+|boot\d+|rpmb)? loop\d+ loop-control dm-\d+ md\d+ md/.+ sr\d+ n?st\d+[lma]? ram\d+ nbd\d+ zram\d+
    mtd\d+(?:ro)? mtdblock\d+ ubi\d*(?:_\d+)? ubi_ctrl ubiblock\d+(?:_\d+)? pmem\d+(?:\.\d+)? dax\d+\.\d+ zd\d+ rbd\d+
    drbd\d+ bcache\d+ ublk[bc]\d+ ublk-control fd\d+ btrfs-control mapper(?:/.+)? disk(?:/.+)? block(?:/.+)?
    | raw access to the host's disks and partitions bypasses every file permission and label
refuse | storage commands | sg\d+ bsg(?:/.+)? ng\d+n\d+
    | SCSI generic and NVMe character devices send raw commands to disks: read, write, format, flash firmware
refuse | memory | mem kmem port snapshot nvram mcelog crash kcore | the host's physical and kernel memory or I/O ports
refuse | consoles | console tty\d+ ttyS\d+ ttyAMA\d+ ttymxc\d+ ttyprintk hvc\d+ vcs[au]?\d* kmsg pts(?:/.+)? ptmx
    | the host's consoles and kernel log: read and type into host sessions, forge log lines
refuse | device passthrough | vfio(?:/.+)? | VFIO hands a whole PCI device to QM: DMA into host memory
refuse | TPM | tpm\d+ tpmrm\d+ | the host's TPM: unseal its secrets, extend the PCRs its attestation and disk encryption trust
refuse | raw USB | bus(?:/.+)? | raw access to every USB device, storage included, and to their firmware
refuse | input injection | uinput uhid hidraw\d+ | type keys and move pointers in host sessions, or reprogram HID devices
refuse | watchdog | watchdog\d* | the hardware watchdog: stop it, or make it reset the host
refuse | CPU control | cpu(?:/.+)? cpu_dma_latency | model-specific registers and power management of the host's CPUs
refuse | clocks | rtc\d* hpet ptp\d+ | the host's hardware clocks and timers: set the time, arm wake-ups
refuse | board control | gpiochip\d+ gpiomem i2c-\d+ spidev\d+\.\d+ mei\d+ ipmi\d+ iio:device\d+ can\d+
    | the buses and controllers of the vehicle board (GPIO, I2C, SPI, ME, IPMI): hardware the host owns
`

export const DEVICE_POLICY: readonly DeviceClass[] = readTable(['verdict', 'name', 'devices', 'why'], DEVICE_TABLE).map((r) => ({
  pattern: new RegExp(`^/dev/(?:${words(r.devices).join('|')})$`),
  verdict: verdictOf(r.verdict),
  name: r.name,
  why: r.why,
}))

const UNKNOWN: Omit<DeviceClass, 'pattern'> = {
  verdict: 'refuse',
  name: 'unknown device',
  why: "not a device QM's packages pass in: qm-stage cannot tell what it reaches (storage has many names under /dev)",
}

export function classifyDevice(canonical: string): Omit<DeviceClass, 'pattern'> {
  return DEVICE_POLICY.find((c) => c.pattern.test(canonical)) ?? UNKNOWN
}

/** Why a device spec must not reach QM (or a nested container), or undefined when it may. */
export function deviceProblem(spec: string, ctx: PathContext): string | undefined {
  if (isCdiName(spec.replace(/^-/, ''))) return `${spec} is a CDI device: its spec file, which qm-stage cannot see, decides which devices and mounts it adds`
  const d = splitDevice(spec)
  if (!d) return `${spec} is not [-]/dev/HOST[:/dev/CONTAINER][:rwm]`
  const expanded = expandUnitValue(d.host, ctx.env)
  if ('why' in expanded) return `qm-stage cannot tell which device this is: ${expanded.why}`
  if (!expanded.value.startsWith('/')) return `${d.host} is not an absolute device path`
  const host = canonicalHostPath(expanded.value)
  if (d.container !== undefined) {
    const target = canonicalHostPath(d.container.startsWith('/') ? d.container : `/${d.container}`)
    // a device node placed over a file hides it (QM's containers.conf, say); QM only needs device nodes in /dev
    if (!target.startsWith('/dev/')) return `the container side ${d.container} is outside /dev: the device node would hide the file there`
  }
  const c = classifyDevice(host)
  if (c.verdict === 'allow') return undefined
  const as = host === d.host ? '' : ` (podman reads ${d.host} as ${host})`
  return `${c.name}${as}: ${c.why}`
}

/** Devices QM's oci hooks add for an `org.containers.qm.device.<kind>=true` annotation (qm-oci-hooks). */
const HOOK_DEVICES: Readonly<Record<string, string>> = {
  audio: '/dev/snd', video: '/dev/video0', input: '/dev/input', ttys: '/dev/tty0', ttyUSB: '/dev/ttyUSB0', dvb: '/dev/dvb', radio: '/dev/radio0',
}

/** Why an annotation makes QM's oci hooks pass a device that must not reach QM, or undefined. */
function annotationProblem(annotation: string): string | undefined {
  const eq = annotation.indexOf('=')
  const key = eq < 0 ? annotation : annotation.slice(0, eq)
  const m = /^org\.containers\.qm\.device\.(.+)$/.exec(key)
  if (!m) return undefined
  const device = own(HOOK_DEVICES, m[1]!)
  if (device === undefined) return `${key}: qm-stage does not know which devices QM's oci hooks add for ${m[1]}`
  const c = classifyDevice(device)
  return c.verdict === 'allow' ? undefined : `${key} makes QM's oci hook add ${device} and its siblings: ${c.name}: ${c.why}`
}

/**
 * Annotations something outside podman acts on: the runtime (crun), systemd through it, a host OCI hook. The first
 * matching row wins (the key, whole, against the row's regular expressions); a key no row names is the container's
 * own metadata. QM's device hooks are judged by annotationProblem above.
 */
const ANNOTATION_TABLE = String.raw`
allow  | crun | run\.oci\.seccomp_fail_unknown_syscall | only makes the seccomp filter stricter
refuse | crun | run\.oci\..*
    | crun acts on them as root on the host: seccomp plugins it loads and runs, the socket it hands the seccomp listener to,
    files its hooks write to, another handler (krun, wasm), cgroup delegation, the caller's groups kept, mount labels
refuse | systemd | org\.systemd\.property\..* | the runtime passes them to systemd as properties of the container's scope: devices, resources, delegation
refuse | podman | io\.podman\.annotations\..* | podman reads some of them as the container's settings (label, seccomp, userns, privileged)
refuse | hook | io\.containers\.trace-syscall | oci-seccomp-bpf-hook writes the traced profile to the host path it names
`

const ANNOTATION_POLICY = readTable(['verdict', 'name', 'keys', 'why'], ANNOTATION_TABLE).map((r) => ({
  pattern: new RegExp(`^(?:${words(r.keys).join('|')})$`),
  verdict: verdictOf(r.verdict),
  name: r.name,
  why: r.why,
}))

/** Why an annotation (`KEY[=VALUE]`) must not reach QM (or a nested container), with its UNSAFE id, or undefined. */
export function annotationHit(annotation: string): { id: UnsafeId; problem: string } | undefined {
  const device = annotationProblem(annotation)
  if (device) return { id: 'device.host', problem: device }
  const eq = annotation.indexOf('=')
  const key = eq < 0 ? annotation : annotation.slice(0, eq)
  const c = ANNOTATION_POLICY.find((r) => r.pattern.test(key))
  return c?.verdict === 'refuse' ? { id: 'raw.unchecked', problem: `${key}: read by ${c.name}, which qm-stage cannot check: ${c.why}` } : undefined
}
