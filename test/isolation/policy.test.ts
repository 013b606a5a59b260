// The host path and device policy: how each spelling is read, and the class it falls in.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { qmContext, nestedContext } from '../../src/isolation/contexts.ts'
import { classifyDevice, deviceProblem, splitDevice, DEVICE_POLICY } from '../../src/isolation/devices.ts'
import { canonicalHostPath, classifyHostPath, hostPathProblem, readSource, HOST_PATH_POLICY } from '../../src/isolation/host-paths.ts'
import { classifyPodmanArgs } from '../../src/isolation/raw-keys.ts'
import { classifyProfile } from '../../src/isolation/seccomp.ts'

const qm = qmContext(500)
const nested = nestedContext(500, [])

const Paths = suite('host paths')

Paths('every spelling of /etc is /etc', () => {
  for (const s of ['/etc', '/etc/', '/etc/.', '//etc', '/./etc', '/usr/../etc', '/var/run/../etc', '/../../etc', '%E', '%E/', '${RWETCFS}/..', '/bin/../../etc']) {
    const r = readSource(s, qm)
    assert.equal(r, { kind: 'host', path: '/etc' }, s)
  }
  // relative sources join the main unit's directory: qm.container's is /usr/share/containers/systemd
  assert.equal(readSource('./../../../../etc', qm), { kind: 'host', path: '/etc' })
  assert.equal(readSource('.', qm), { kind: 'host', path: '/usr/share/containers/systemd' })
  assert.equal(readSource('../../../../etc/shadow', nested), { kind: 'host', path: '/etc/shadow' }, 'inside QM: /etc/containers/systemd/..')
})

Paths('known host symlinks are followed while walking, as the kernel does', () => {
  assert.is(canonicalHostPath('/root/.ssh'), '/var/roothome/.ssh')
  assert.is(canonicalHostPath('/home/u'), '/var/home/u')
  assert.is(canonicalHostPath('/ostree/repo'), '/sysroot/ostree/repo')
  assert.is(canonicalHostPath('/lib/modules'), '/usr/lib/modules')
  assert.is(canonicalHostPath('/var/run/dbus/system_bus_socket'), '/run/dbus/system_bus_socket')
  assert.is(canonicalHostPath('/opt/../etc'), '/var/etc', '/opt is /var/opt, so .. is /var')
})

Paths('named volumes, anonymous volumes and what cannot be resolved', () => {
  assert.equal(readSource('data', qm), { kind: 'named', name: 'data' })
  assert.equal(readSource('app.volume', qm), { kind: 'named', name: 'app.volume' })
  assert.equal(readSource('', qm), { kind: 'none' })
  assert.is(readSource('${UNKNOWN}/etc', qm).kind, 'host', 'an unset variable expands to nothing')
  assert.is(readSource('${X}/etc', { unitDir: '/' }).kind, 'unresolved', 'an environment qm-stage cannot see')
  assert.is(readSource('%i', qm).kind, 'unresolved')
  assert.is(readSource('$HOME', qm).kind, 'unresolved')
  assert.is(readSource('etc/shadow', qm).kind, 'unresolved')
})

Paths('the classes, with the verdicts the README gives', () => {
  const refused = ['/', '/etc', '/etc/ssh', '/etc/shadow', '/usr/lib/modules', '/sysroot', '/boot/efi', '/proc/1', '/sys/fs', '/dev/shm',
    '/var', '/var/lib/containers', '/var/log/journal', '/run/systemd', '/run/user/0', '/tmp', '/var/tmp/x', '/var/roothome', '/var/home/u',
    '/usr/share/qm', '/etc/qm/containers', '/var/qm/data', '/usr/lib/qm/rootfs/etc', '/var/srv', '/var/mnt', '/var/usrlocal/bin', '/var/opt/app']
  for (const p of refused) assert.is(classifyHostPath(p).verdict, 'refuse', p)
  const allowed = ['/run/bluechi/bluechi.sock', '/run/ipc/app', '/etc/qm', '/var/qm', '/var/qm/tmp', '/srv/data', '/var/srv/data', '/data', '/var/appdata', '/mnt/sd']
  for (const p of allowed) assert.is(classifyHostPath(canonicalHostPath(p)).verdict, 'allow', p)
  // inside QM a service may share QM's own runtime and state directories, not its control sockets
  for (const p of ['/run/pulse', '/var/lib/app', '/tmp/x']) assert.is(classifyHostPath(p, 'nested').verdict, 'allow', p)
  for (const p of ['/run/systemd/private', '/var/lib/containers/storage', '/etc/containers/systemd', '/run/podman/podman.sock']) assert.is(classifyHostPath(p, 'nested').verdict, 'refuse', p)
  assert.ok(HOST_PATH_POLICY.every((r) => r.why.length > 20))
})

Paths('a problem names the class and how podman reads the spelling', () => {
  assert.match(hostPathProblem('/usr/../etc', qm)!, 'podman reads /usr/../etc as /etc')
  assert.is(hostPathProblem('/srv/data', qm), undefined)
})

Paths.run()

const Devices = suite('devices')

Devices('podman splits HOST[:CONTAINER][:PERMISSIONS]', () => {
  assert.equal(splitDevice('/dev/null:/dev/sda'), { optional: false, host: '/dev/null', container: '/dev/sda' })
  assert.equal(splitDevice('-/dev/kvm:rw'), { optional: true, host: '/dev/kvm', permissions: 'rw' })
  assert.equal(splitDevice('/dev/a:/dev/b:rwm'), { optional: false, host: '/dev/a', container: '/dev/b', permissions: 'rwm' })
  assert.is(splitDevice('/dev/a:/dev/b:x'), undefined)
})

Devices('the host side is classified after normalisation', () => {
  for (const d of ['/dev/./sda', '/dev//sda', '/dev/sda/', '/dev/../dev/sda1', '/dev/sda:/dev/null', '-/dev/nvme0n1p2']) assert.ok(deviceProblem(d, qm), d)
  assert.is(deviceProblem('/dev/null:/dev/sda', qm), undefined, 'host /dev/null, seen as /dev/sda')
  assert.match(deviceProblem('/dev/null:/etc/containers/containers.conf', qm)!, 'outside /dev')
  assert.match(deviceProblem('nvidia.com/gpu=all', qm)!, 'CDI')
})

Devices('allowed by design, refused by class, refused when unknown', () => {
  for (const d of ['/dev/kvm', '/dev/fuse', '/dev/net/tun', '/dev/video0', '/dev/media1', '/dev/snd', '/dev/snd/pcmC0D0p', '/dev/input/event3', '/dev/dri/renderD128', '/dev/ttyUSB0', '/dev/null']) {
    assert.is(classifyDevice(d).verdict, 'allow', d)
  }
  const refused = {
    storage: ['/dev/sda', '/dev/vdb1', '/dev/xvda', '/dev/hda', '/dev/nvme0n1', '/dev/nvme0n1p3', '/dev/mmcblk0', '/dev/mmcblk0boot0', '/dev/mmcblk0rpmb',
      '/dev/loop0', '/dev/loop-control', '/dev/dm-0', '/dev/md0', '/dev/ram0', '/dev/nbd0', '/dev/zram0', '/dev/mtd0', '/dev/mtdblock0', '/dev/ubi0', '/dev/ubi0_1',
      '/dev/mapper/root', '/dev/disk/by-uuid/x', '/dev/block/8:0', '/dev/sr0', '/dev/pmem0'],
    'storage commands': ['/dev/sg0', '/dev/ng0n1', '/dev/bsg/0:0:0:0'],
    memory: ['/dev/mem', '/dev/kmem', '/dev/port'],
    consoles: ['/dev/console', '/dev/tty0', '/dev/tty7', '/dev/ttyS0', '/dev/vcs1', '/dev/vcsa1', '/dev/kmsg', '/dev/pts/0'],
    'device passthrough': ['/dev/vfio/vfio', '/dev/vfio/12'],
    TPM: ['/dev/tpm0', '/dev/tpmrm0'],
    'raw USB': ['/dev/bus/usb/001/002'],
    'input injection': ['/dev/uinput', '/dev/hidraw0'],
    watchdog: ['/dev/watchdog', '/dev/watchdog0'],
    'CPU control': ['/dev/cpu/0/msr'],
    clocks: ['/dev/rtc0', '/dev/hpet'],
    'unknown device': ['/dev/vg0/root', '/dev/nvidia0', '/dev/vhost-net', '/dev/foo'],
  }
  for (const [name, devices] of Object.entries(refused)) {
    for (const d of devices) assert.equal([classifyDevice(d).verdict, classifyDevice(d).name], ['refuse', name], d)
  }
  assert.ok(DEVICE_POLICY.every((c) => c.why.length > 20))
})

Devices.run()

const Args = suite('podman options')

const ids = (args: string[], ctx = nested) => classifyPodmanArgs(args, ctx).map((h) => (h.kind === 'unsafe' ? h.id : 'invalid'))

Args('each option is read with its value, attached or not', () => {
  assert.equal(ids(['--oom-score-adj=-1000']), ['oom.nested_below_qm'])
  assert.equal(ids(['--oom-score-adj', '100']), ['oom.nested_below_qm'])
  assert.equal(ids(['--oom-score-adj', '900']), [])
  assert.equal(ids(['-v/etc:/host']), ['volume.host_path'])
  assert.equal(ids(['-v', '/etc:/host']), ['volume.host_path'])
  assert.equal(ids(['--volume=/run/pulse:/run/pulse']), [])
  assert.equal(ids(['--mount', 'type=bind,src=/var/lib/containers,dst=/x']), ['volume.host_path'])
  assert.equal(ids(['--mount=type=glob,src=/e*,dst=/x']), ['volume.host_path'])
  assert.equal(ids(['--device=/dev/./sda']), ['device.host'])
  assert.equal(ids(['--privileged']), ['privileged'])
  assert.equal(ids(['--privileged=false']), [])
  assert.equal(ids(['--cap-add=all']), ['capability.sys_boot', 'capability.sys_resource'])
  assert.equal(ids(['--cap-add', 'CAP_SYS_RESOURCE,net_admin']), ['capability.sys_resource'])
  assert.equal(ids(['--security-opt', 'label=disable']), ['selinux.label_disable'])
  assert.equal(ids(['--security-opt=seccomp=unconfined']), ['seccomp.unconfined'])
  assert.equal(ids(['--security-opt', 'unmask=ALL']), ['mask.off'])
  assert.equal(ids(['--security-opt', 'systempaths=unconfined']), ['mask.off'])
  assert.equal(ids(['--pid=host', '--ipc', 'host', '--uts=host', '--cgroupns=host']), ['namespace.host', 'namespace.host', 'namespace.host', 'namespace.host'])
  assert.equal(ids(['--network=host', '--userns=host']), [], "QM's own defaults for nested containers")
  assert.equal(ids(['--network=host'], qm), ['network.host'])
  assert.equal(ids(['--annotation', 'org.containers.qm.device.ttys=true']), ['device.host'])
  assert.equal(ids(['-it', '--rm', '--env', 'A=1']), [])
})

Args('a word that is not an option would become the image; an unknown option is unchecked', () => {
  assert.equal(ids(['quay.io/evil/image']), ['invalid'])
  assert.equal(ids(['--', '--privileged']), ['invalid'])
  assert.equal(ids(['--hooks-dir=/x']), ['raw.unchecked'])
  assert.equal(ids(['-Z']), ['raw.unchecked'])
})

Args('annotations the runtime, systemd or a host hook acts on; files podman reads or writes; realtime limits', () => {
  assert.equal(ids(['--annotation', 'run.oci.seccomp.plugins=/x.so', '--annotation=run.oci.keep_original_groups=1']), ['raw.unchecked', 'raw.unchecked'])
  assert.equal(ids(['--annotation', 'org.systemd.property.DeviceAllow=/dev/sda rwm']), ['raw.unchecked'])
  assert.equal(ids(['--annotation', 'run.oci.seccomp_fail_unknown_syscall=1', '--annotation', 'com.example.team=radio']), [])
  assert.equal(ids(['--init-path', '/etc/shadow', '--env-file=/etc/shadow', '--hosts-file', '/etc/passwd']), ['volume.host_path', 'volume.host_path', 'volume.host_path'])
  assert.equal(ids(['--cidfile=/etc/containers/x', '--pidfile', '/usr/lib/x', '--log-opt', 'path=/etc/x']), ['volume.host_path', 'volume.host_path', 'volume.host_path'])
  assert.equal(ids(['--cidfile=/run/app.cid', '--env-file', '/var/lib/app/env', '--log-opt', 'max-size=1m']), [], "QM's own state reaches a nested container")
  assert.equal(ids(['--env-file', '/var/lib/app/env'], qm), ['volume.host_path'], "the host's /var/lib reaches QM")
  assert.equal(ids(['--cgroup-parent=/'], qm), ['raw.unchecked'])
  assert.equal(ids(['--cgroup-parent=/app']), [])
  assert.equal(ids(['--ulimit', 'rtprio=99', '--ulimit=RTPRIO=0:1', '--ulimit', 'rtprio=x']), ['sched.realtime', 'sched.realtime', 'sched.realtime'])
  assert.equal(ids(['--ulimit', 'rtprio=0', '--ulimit', 'nofile=1024:2048']), [])
})

Args.run()

const Seccomp = suite('seccomp profiles by content')

const rule = (names: string[], args?: object[]) => ({ names, action: 'SCMP_ACT_ALLOW', ...(args ? { args } : {}) })
const profile = (defaultAction: string, syscalls: object[] = []) => JSON.stringify({ defaultAction, syscalls })

Seccomp('default action, realtime calls, and what is not a profile', () => {
  assert.is(classifyProfile(profile('SCMP_ACT_ALLOW')), 'unconfined')
  assert.is(classifyProfile(profile('SCMP_ACT_LOG', [{ names: ['mount'], action: 'SCMP_ACT_ERRNO' }])), 'unconfined')
  assert.is(classifyProfile(profile('SCMP_ACT_ERRNO', [rule(['read', 'sched_setscheduler'])])), 'realtime')
  assert.is(classifyProfile(profile('SCMP_ACT_ERRNO', [rule(['sched_setattr'])])), 'realtime')
  assert.is(classifyProfile(profile('SCMP_ACT_ERRNO', [rule(['sched_setscheduler'], [{ index: 1, value: 1, op: 'SCMP_CMP_EQ' }])])), 'realtime')
  // upstream's seccomp-no-rt.json: sched_setscheduler only for SCHED_OTHER, BATCH, IDLE
  const noRt = [0, 3, 5].map((value) => rule(['sched_setscheduler'], [{ index: 1, value, op: 'SCMP_CMP_EQ' }]))
  assert.is(classifyProfile(profile('SCMP_ACT_ERRNO', [rule(['read']), ...noRt, { names: ['sched_setattr'], action: 'SCMP_ACT_ERRNO' }])), 'confined')
  assert.ok(typeof classifyProfile('{') === 'object')
  assert.ok(typeof classifyProfile('[]') === 'object')
  assert.ok(typeof classifyProfile('{}') === 'object')
})

Seccomp.run()
