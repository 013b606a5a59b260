// inspect reads a built tree's drop-ins, nested Quadlets and seccomp profiles through the policy render applies.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { QM } from '../../src/qm/paths.ts'
import { asInstalledByRpm, put, inspectTar } from '../_helpers/image.ts'
import { built, tinySeed, TINY_ROOTFS } from '../_helpers/render.ts'

async function findings(extra: (host: Parameters<typeof put>[0]) => void) {
  const { host } = built(`rootfs: { tarball: { source_path: ${TINY_ROOTFS} } }\n`, { seed: await tinySeed() })
  asInstalledByRpm(host)
  extra(host)
  return (await inspectTar(host)).findings.filter((f) => f.severity === 'error').map((f) => [f.id, f.file])
}

const Policy = suite('inspect: the isolation policy in a built tree')

Policy('the built default has no isolation finding', async () => {
  const ids = (await findings(() => {})).map(([id]) => id)
  for (const id of ['volume.host_path', 'device.host', 'privileged', 'seccomp.unconfined', 'seccomp.default', 'raw.unchecked']) assert.not.ok(ids.includes(id), id)
})

Policy('an admin drop-in with odd spellings of host paths and devices', async () => {
  const dropin = `${QM.adminDropinDir}/50-odd.conf`
  const got = await findings((host) => put(host, dropin, '[Container]\nVolume=/etc/.:/x\nVolume=%t/systemd:/y\nAddDevice=/dev/./sda\nPodmanArgs=-v/usr/../etc:/z --pid=host\n'))
  const mine = got.filter(([, file]) => file === dropin).map(([id]) => id).sort()
  assert.equal(mine, ['device.host', 'namespace.host', 'volume.host_path', 'volume.host_path', 'volume.host_path'])
})

Policy("an admin drop-in moving QM's root, raising its realtime limit, or naming host files podman reads and writes", async () => {
  const dropin = `${QM.adminDropinDir}/50-files.conf`
  const got = await findings((host) =>
    put(host, dropin, '[Container]\nRootfs=${ROOTFS}/../..:O\nUlimit=rtprio=99\nAnnotation=run.oci.seccomp.plugins=/var/qm/x.so\nPodmanArgs=--env-file /etc/shadow --cidfile=/etc/passwd --cgroup-parent=/\n'),
  )
  const mine = got.filter(([, file]) => String(file).startsWith(dropin)).map(([id]) => id).sort()
  assert.equal(mine, ['raw.unchecked', 'raw.unchecked', 'sched.realtime', 'volume.host_path', 'volume.host_path', 'volume.host_path'])
  const own = await findings((host) => put(host, dropin, '[Container]\nRootfs=/usr/lib/qm/rootfs:O\nUlimit=rtprio=0 nofile=4096\n'))
  assert.equal(own.filter(([, file]) => String(file).startsWith(dropin)), [], "QM's own root and a zero realtime limit")
})

Policy('a seccomp profile in the tree is classified by its content', async () => {
  const dropin = `${QM.adminDropinDir}/50-seccomp.conf`
  const got = await findings((host) => {
    put(host, '/usr/share/qm/open.json', JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW' }))
    put(host, dropin, '[Container]\nSeccompProfile=/usr/share/qm/./open.json\n')
  })
  assert.ok(got.some(([id]) => id === 'seccomp.unconfined'), JSON.stringify(got))
  const rt = await findings((host) => {
    put(host, '/usr/share/qm/rt.json', JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['sched_setattr'], action: 'SCMP_ACT_ALLOW' }] }))
    put(host, dropin, '[Container]\nSeccompProfile=/usr/share/qm/rt.json\n')
  })
  assert.ok(rt.some(([id]) => id === 'seccomp.default'), JSON.stringify(rt))
})

Policy("a nested Quadlet in QM's tree gets the nested checks", async () => {
  const unit = `${QM.etc}/containers/systemd/app.container`
  const got = await findings((host) => put(host, unit, '[Container]\nImage=x\nPull=always\nPodmanArgs=--privileged\nVolume=../../shadow:/s\nSecurityLabelDisable="true"\n'))
  const mine = got.filter(([, file]) => String(file).startsWith(unit)).map(([id]) => id).sort()
  assert.equal(mine, ['privileged', 'selinux.label_disable', 'volume.host_path'])
})

Policy("[Service] keys of qm.container's drop-ins and of nested Quadlets, through the same table as render", async () => {
  const dropin = `${QM.adminDropinDir}/50-service.conf`
  const unit = `${QM.etc}/containers/systemd/app.container`
  const got = await findings((host) => {
    put(host, dropin, '[Service]\nExecStartPre=/usr/local/bin/prepare\nCPUSchedulingPolicy=fifo\nRestart=always\n')
    put(host, unit, '[Container]\nImage=x\nPull=always\n[Service]\nUser=app\nBindPaths=/etc/containers:/srv/c\nTimeoutStartSec=90\n')
  })
  const of = (file: string) => got.filter(([, f]) => String(f).startsWith(file)).map(([id]) => id).sort()
  assert.equal(of(dropin), ['raw.unchecked', 'sched.realtime'])
  assert.equal(of(unit), ['raw.unchecked', 'volume.host_path'])
})

Policy("containers.conf files QM's podman reads, through the same table as render", async () => {
  const dropin = `${QM.etc}/containers/containers.rootful.conf.d/50-wide.conf`
  const vendor = `${QM.rootfs}/usr/share/containers/containers.conf.d/60-vendor.conf`
  const rootless = `${QM.etc}/containers/containers.rootless.conf.d/10-users.conf`
  const got = await findings((host) => {
    put(host, dropin, '[containers]\npidns = "host"\nlabel = false\ntz = "UTC"\n[engine]\nhooks_dir = ["/etc/hooks"]\n')
    put(host, vendor, '[containers]\nlog_driver = "journald"\n')
    put(host, rootless, '[containers]\nvolumes = ["/etc/containers:/c"]\n')
  })
  const of = (file: string) => got.filter(([, f]) => f === file).map(([id]) => id).sort()
  assert.equal(of(dropin), ['namespace.host', 'raw.unchecked', 'selinux.label_disable'])
  assert.equal(of(vendor), [])
  assert.equal(of(rootless), ['volume.host_path'])
})

Policy('Quadlet files of every kind in QM get the nested checks', async () => {
  const dir = `${QM.etc}/containers/systemd`
  const got = await findings((host) => {
    put(host, `${dir}/data.volume`, '[Volume]\nDevice=/dev/sda1\nType=ext4\n')
    put(host, `${dir}/etcbind.volume`, '[Volume]\nDevice=/etc/containers\nOptions="bind"\n')
    put(host, `${dir}/radio.pod`, '[Pod]\nPodmanArgs=--privileged\n')
    put(host, `${dir}/radio.pod.d/10-ns.conf`, '[Pod]\nPodmanArgs=--pid=host\n')
    put(host, `${dir}/app.kube`, '[Kube]\nYaml=/etc/app.yaml\n')
    put(host, `${dir}/lan.network`, '[Network]\nPodmanArgs=--frobnicate\n')
    put(host, `${dir}/app.image`, '[Image]\nImage=x\nGlobalArgs=--runtime=/x\n')
    put(host, `${dir}/app.build`, '[Build]\nImageTag=localhost/x\nFile=/x\nVolume=/var/lib/containers:/s\n[Service]\nExecStartPre=/bin/true\n')
    put(host, `${dir}/fine.network`, '[Network]\nSubnet=10.90.0.0/24\n')
  })
  const of = (name: string) => got.filter(([, f]) => String(f).startsWith(`${dir}/${name}`)).map(([id]) => id).sort()
  assert.equal(of('data.volume'), ['device.host'])
  assert.equal(of('etcbind.volume'), ['volume.host_path'])
  assert.equal(of('radio.pod'), ['namespace.host', 'privileged'])
  assert.equal(of('app.kube'), ['raw.unchecked'])
  assert.equal(of('lan.network'), ['raw.unchecked'])
  assert.equal(of('app.image'), ['raw.unchecked'])
  assert.equal(of('app.build'), ['raw.unchecked', 'volume.host_path'])
  assert.equal(of('fine.network'), [])
})

Policy("systemd drop-ins of a nested unit's service in QM get its [Service] checks", async () => {
  const etc = `${QM.etc}/systemd/system/app.service.d/10-pre.conf`
  const vendor = `${QM.rootfs}/usr/lib/systemd/system/service.d/10-all.conf`
  const other = `${QM.etc}/systemd/system/chronyd.service.d/10-x.conf`
  const got = await findings((host) => {
    put(host, `${QM.etc}/containers/systemd/app.container`, '[Container]\nImage=x\nPull=always\n')
    put(host, etc, '[Service]\nExecStartPre=/usr/bin/podman run --rm --privileged x\n')
    put(host, vendor, '[Service]\nOOMScoreAdjust=-900\nRestart=always\n')
    put(host, other, '[Service]\nUser=ntp\n')
  })
  const of = (file: string) => got.filter(([, f]) => String(f).startsWith(file)).map(([id]) => id).sort()
  assert.equal(of(etc), ['privileged', 'raw.unchecked'])
  assert.equal(of(vendor), ['oom.nested_below_qm'])
  assert.equal(of(other), [])
})

Policy("a Quadlet in QM named like one of QM's own units, or like another Quadlet's service", async () => {
  const { host } = built(`rootfs: { tarball: { source_path: ${TINY_ROOTFS} } }\n`, { seed: await tinySeed() })
  asInstalledByRpm(host)
  const dir = `${QM.etc}/containers/systemd`
  put(host, `${dir}/bluechi-agent.container`, '[Container]\nImage=x\nPull=always\n')
  put(host, `${dir}/radio.container`, '[Container]\nImage=x\nPull=always\nServiceName=tuner\n')
  put(host, `${dir}/tuner.kube`, '[Kube]\nYaml=/x.yaml\n')
  put(host, `${dir}/data.volume`, '[Volume]\n')
  const got = (await inspectTar(host)).findings.filter((f) => f.id.startsWith('nested.unit_')).map((f) => [f.id, f.file])
  assert.equal(got.sort(), [['nested.unit_taken', `${dir}/bluechi-agent.container`], ['nested.unit_twice', `${dir}/radio.container`]])
})

Policy("a host directory mounted over QM's generated configuration", async () => {
  const dropin = `${QM.adminDropinDir}/50-over.conf`
  const got = await findings((host) => put(host, dropin, '[Container]\nVolume=/srv/conf:/etc/containers\nVolume=/srv/data:/srv/data\nVolume=/srv/ids:/etc/subuid:ro\n'))
  assert.equal(got.filter(([id]) => id === 'volume.over_qm_config').map(([, f]) => f), [dropin, dropin])
  // the built default mounts QM's own /etc and /var there: nothing to report
  assert.not.ok((await findings(() => {})).some(([id]) => id === 'volume.over_qm_config'))
})

Policy("systemd drop-ins of qm.service on the host, through the [Service] table", async () => {
  const own = '/etc/systemd/system/qm.service.d/50-rt.conf'
  const all = '/usr/lib/systemd/system/service.d/50-all.conf'
  const got = await findings((host) => {
    put(host, own, '[Service]\nCPUSchedulingPolicy=fifo\nOOMScoreAdjust=-1000\nRestart=always\n')
    put(host, all, '[Service]\nExecStartPre=/usr/local/bin/hook\n')
  })
  const of = (file: string) => got.filter(([, f]) => String(f).startsWith(file)).map(([id]) => id).sort()
  assert.equal(of(own), ['oom.qm_not_positive', 'sched.realtime'])
  assert.equal(of(all), ['raw.unchecked'])
  // systemd ignores a score it cannot parse (quoted, out of range): qm.service keeps its own, nothing to report
  const ignored = await findings((host) => put(host, own, '[Service]\nOOMScoreAdjust="500"\nOOMScoreAdjust=-1001\nOOMScoreAdjust=\n'))
  assert.not.ok(ignored.some(([id]) => id === 'oom.qm_not_positive'))
  // the rest of systemd's unit search path: the administrator's /usr/local, the control and transient directories
  const more = ['/usr/local/lib/systemd/system/qm.service.d/50.conf', '/etc/systemd/system.control/qm.service.d/50.conf', '/run/systemd/transient/service.d/50.conf']
  const got2 = await findings((host) => more.forEach((f) => put(host, f, '[Service]\nLimitRTPRIO=99\n')))
  for (const f of more) assert.equal(got2.filter(([, g]) => String(g).startsWith(f)).map(([id]) => id), ['sched.realtime'], f)
})

Policy.run()
