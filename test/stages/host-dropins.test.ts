import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { built, effectiveQm, has, mode, text } from '../_helpers/render.ts'

const Dropins = suite('host-dropins')

Dropins('an empty config gives upstream QM: the drop-in restates upstream resources, nothing else', () => {
  const { host } = built('')
  const qm = effectiveQm(host)
  assert.equal(qm.dropins, ['/usr/share/containers/systemd/qm.container.d/10-qm.conf', '/usr/share/containers/systemd/qm.container.d/30-qm-bluechi.conf'])
  assert.equal(
    ['MemoryMax', 'MemoryHigh', 'CPUWeight', 'IOWeight', 'TasksMax', 'OOMScoreAdjust'].map((k) => qm.get('Service', k)),
    ['infinity', 'infinity', 'idle', '50', '50%', '500'],
  )
  assert.equal(qm.list('Container', 'DropCapability'), ['sys_boot', 'sys_resource'])
  assert.is(qm.get('Container', 'ReadOnly'), 'true')
  assert.is(qm.get('Container', 'SeccompProfile'), '/usr/share/qm/seccomp-no-rt.json')
  assert.is(mode(host, '/usr/share/containers/systemd/qm.container.d/10-qm.conf'), '644')
})

Dropins('resources land in [Service] as systemd spells them', () => {
  const qm = effectiveQm(
    built('memory_limit: { max: 4G, high: 3G }\ncpu_weight: 50\nio_weight: 200\ncpu_quota: 150%\nallowed_cpus: 2-3\ntasks_max: 4096\noom_score_adjust: 600\n').host,
  )
  assert.equal(
    ['MemoryMax', 'MemoryHigh', 'CPUWeight', 'IOWeight', 'CPUQuota', 'AllowedCPUs', 'TasksMax', 'OOMScoreAdjust'].map((k) => qm.get('Service', k)),
    ['4G', '3G', '50', '200', '150%', '2-3', '4096', '600'],
  )
})

Dropins('container settings add to upstream lists and override its scalars', () => {
  const qm = effectiveQm(
    built(`
bluechi: { enabled: false }
container:
  volumes: ["/run/ipc:/run/ipc:z"]
  devices: [/dev/video0]
  annotations: { org.containers.qm.device.audio: "true" }
  environment: { LANG: C.UTF-8 }
  sysctl: { net.ipv4.ping_group_range: "0 2000" }
  drop_capabilities: [net_raw]
`).host,
  )
  assert.equal(qm.list('Container', 'Volume'), ['${RWETCFS}:/etc', '${RWVARFS}:/var', '${RWVARFS}/tmp:/var/tmp', '/run/ipc:/run/ipc:z'])
  assert.equal(qm.list('Container', 'AddDevice'), ['-/dev/kvm', '-/dev/fuse', '/dev/video0'])
  assert.equal(qm.list('Container', 'Annotation'), ['org.containers.qm.device.audio=true'])
  assert.equal(qm.list('Container', 'Environment'), ['TZ', 'LANG=C.UTF-8'])
  assert.equal(qm.list('Container', 'Sysctl'), ['fs.mqueue.queues_max=4', 'net.ipv4.ping_group_range=0 2000'])
  assert.equal(qm.list('Container', 'DropCapability'), ['sys_boot', 'sys_resource', 'net_raw'])
})

Dropins('re-adding a dropped capability resets the drop list, as upstream README shows', () => {
  const qm = effectiveQm(built('container:\n  add_capabilities: [CAP_SYS_RESOURCE]\nallow_unsafe:\n  capability.sys_resource: "tested by this case"\n').host)
  assert.equal(qm.list('Container', 'DropCapability'), ['sys_boot'])
  assert.equal(qm.list('Container', 'AddCapability'), ['all', 'sys_resource'])
})

Dropins('network, seccomp, privileged, labels and read-only as written', () => {
  const qm = effectiveQm(
    built(`
container:
  network: host
  seccomp_profile: unconfined
  privileged: true
  security_label_disable: true
  read_only: false
  timezone: Europe/Berlin
allow_unsafe:
  network.host: "tested by this case"
  seccomp.unconfined: "tested by this case"
  privileged: "tested by this case"
  selinux.label_disable: "tested by this case"
  read_only.off: "tested by this case"
`).host,
  )
  assert.equal(qm.list('Container', 'Network'), ['host'])
  assert.is(qm.get('Container', 'SeccompProfile'), 'unconfined')
  assert.equal(qm.list('Container', 'PodmanArgs'), ['--privileged'])
  assert.is(qm.get('Container', 'SecurityLabelDisable'), 'true')
  assert.is(qm.get('Container', 'ReadOnly'), 'false')
  assert.is(qm.get('Container', 'Timezone'), 'Europe/Berlin')
  assert.equal(qm.list('Container', 'Environment'), [], 'Timezone= replaces the TZ pass-through')
})

Dropins('seccomp default is containers/qm\'s realtime recipe: an empty SeccompProfile= (podman\'s configured default)', () => {
  const { host } = built('container:\n  seccomp_profile: default\nallow_unsafe:\n  seccomp.default: "tested by this case"\n')
  const qm = effectiveQm(host)
  assert.is(qm.get('Container', 'SeccompProfile'), '')
  assert.match(text(host, '/usr/share/containers/systemd/qm.container.d/20-qm-container.conf'), /^SeccompProfile=$/m)
})

Dropins('an explicit seccomp path is written as given', () => {
  const qm = effectiveQm(built('container:\n  seccomp_profile: /usr/share/qm/seccomp-no-rt.json\n').host)
  assert.is(qm.get('Container', 'SeccompProfile'), '/usr/share/qm/seccomp-no-rt.json')
})

Dropins('package-mode hosts get a writable QM root without an opt-in', () => {
  assert.is(effectiveQm(built('mode: package\n').host).get('Container', 'ReadOnly'), 'false')
})

Dropins('the allow_unsafe reasons are recorded in the drop-in that is always there', () => {
  const { host } = built('container:\n  network: host\nallow_unsafe:\n  network.host: "the gateway needs the host stack"\n')
  assert.ok(has(host, '/usr/share/containers/systemd/qm.container.d/20-qm-container.conf'))
  assert.match(text(host, '/usr/share/containers/systemd/qm.container.d/10-qm.conf'), '# allow_unsafe network.host: the gateway needs the host stack')
})

Dropins('the BlueChi socket\'s directory is shared only when the controller is a local socket', () => {
  assert.ok(effectiveQm(built('').host).list('Container', 'Volume').includes('/run/bluechi:/run/bluechi'))
  assert.ok(effectiveQm(built('bluechi:\n  controller: { address: "unix:path=/run/bluechi/x/bc.sock" }\n').host).list('Container', 'Volume').includes('/run/bluechi/x:/run/bluechi/x'))
  const tcp = effectiveQm(built('bluechi:\n  controller: { host: 192.168.1.10, port: 2020 }\n').host)
  assert.not.ok(tcp.dropins.some((d) => d.endsWith('30-qm-bluechi.conf')))
  assert.not.ok(effectiveQm(built('bluechi: { enabled: false }\n').host).list('Container', 'Volume').some((v) => v.includes('bluechi')))
})

Dropins.run()
