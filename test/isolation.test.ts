import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { UNSAFE, type UnsafeId } from '../src/isolation.ts'
import schema from '../src/config/qm.schema.json' with { type: 'json' }
import { load } from './_helpers/config.ts'
import { QM } from '../src/qm/paths.ts'
import { setMeta } from '../src/tree/vtree.ts'
import { asInstalledByRpm, put, inspectTar } from './_helpers/image.ts'
import { built, text, tinySeed, TINY_ROOTFS } from './_helpers/render.ts'

/** A config making each unsafe setting, the pointer it is reported at, and the entries it needs besides. */
export const UNSAFE_CASES: Record<UnsafeId, { yaml: string; pointer: string; also?: Partial<Record<UnsafeId, string>> }> = {
  'capability.sys_boot': { yaml: 'container:\n  add_capabilities: [sys_boot]\n', pointer: '/container/add_capabilities/0' },
  'capability.sys_resource': { yaml: 'container:\n  add_capabilities: [CAP_SYS_RESOURCE]\n', pointer: '/container/add_capabilities/0' },
  privileged: { yaml: 'container:\n  privileged: true\n', pointer: '/container/privileged' },
  'network.host': { yaml: 'container:\n  network: host\n', pointer: '/container/network' },
  'selinux.label_disable': { yaml: 'container:\n  security_label_disable: true\n', pointer: '/container/security_label_disable' },
  'selinux.no_labelling': { yaml: 'selinux:\n  label: false\n', pointer: '/selinux/label' },
  'seccomp.default': { yaml: 'container:\n  seccomp_profile: default\n', pointer: '/container/seccomp_profile' },
  'seccomp.unconfined': { yaml: 'container:\n  seccomp_profile: unconfined\n', pointer: '/container/seccomp_profile' },
  'read_only.off': { yaml: 'container:\n  read_only: false\n', pointer: '/container/read_only' },
  'volume.host_path': { yaml: 'container:\n  volumes: ["/run/dbus:/run/dbus"]\n', pointer: '/container/volumes/0' },
  'device.host': { yaml: 'container:\n  devices: [/dev/mem]\n', pointer: '/container/devices/0' },
  'namespace.host': { yaml: 'nested:\n  - { name: n, image: x, pull: always, container: { PodmanArgs: --pid=host } }\n', pointer: '/nested/0/container/PodmanArgs' },
  'mask.off': { yaml: 'nested:\n  - { name: n, image: x, pull: always, container: { Unmask: ALL } }\n', pointer: '/nested/0/container/Unmask' },
  'raw.unchecked': { yaml: 'nested:\n  - { name: n, image: x, pull: always, container: { PodmanArgs: --frobnicate } }\n', pointer: '/nested/0/container/PodmanArgs' },
  'oom.qm_not_positive': { yaml: 'oom_score_adjust: 0\ncontainers_conf:\n  oom_score_adj: 750\n', pointer: '/oom_score_adjust' },
  'oom.nested_below_qm': {
    yaml: 'nested:\n  - { name: n, image: x, pull: always, oom_score_adjust: 100 }\ncontainer:\n  add_capabilities: [sys_resource]\n',
    pointer: '/nested/0/oom_score_adjust',
    also: { 'capability.sys_resource': 'nested n lowers its score' },
  },
  'oom.containers_below_qm': { yaml: 'containers_conf:\n  oom_score_adj: 400\n', pointer: '/containers_conf/oom_score_adj' },
  'sched.realtime': { yaml: 'nested:\n  - { name: n, image: x, pull: always, service: { CPUSchedulingPolicy: fifo } }\n', pointer: '/nested/0/service/CPUSchedulingPolicy' },
  'publish_port.all_interfaces': { yaml: 'container:\n  publish_ports: ["8443:443/tcp"]\n', pointer: '/container/publish_ports/0' },
}

const withAllowed = (yaml: string, entries: Record<string, string>) =>
  Object.keys(entries).length === 0 ? yaml : `${yaml}allow_unsafe:\n${Object.entries(entries).map(([id, why]) => `  ${id}: "${why}"\n`).join('')}`

const Guard = suite('isolation guard')

Guard('the table covers every unsafe setting, and the schema allows exactly those ids', () => {
  assert.equal(Object.keys(UNSAFE_CASES).sort(), Object.keys(UNSAFE).sort())
  assert.equal([...schema.$defs.unsafeId.enum].sort(), Object.keys(UNSAFE).sort())
})

for (const [id, c] of Object.entries(UNSAFE_CASES) as [UnsafeId, (typeof UNSAFE_CASES)[UnsafeId]][]) {
  Guard(`${id}: refused without allow_unsafe, accepted with a reason`, () => {
    const refused = load(withAllowed(c.yaml, c.also ?? {})).errors
    assert.equal(
      refused.map((e) => [e.code, e.pointer]),
      [['UNSAFE_SETTING', c.pointer]],
    )
    assert.match(refused[0]!.message, `"${id}: <why it is needed>"`)
    const accepted = load(withAllowed(c.yaml, { ...c.also, [id]: 'needed by this test case' }))
    assert.equal(accepted.errors, [])
  })
}

Guard('a reason must be a real sentence, and an unused entry is an error', () => {
  assert.equal(load(withAllowed(UNSAFE_CASES.privileged.yaml, { privileged: 'ok' })).errors.map((e) => e.code), ['CONFIG_INVALID'])
  assert.equal(load(withAllowed('', { privileged: 'nothing is privileged here' })).errors.map((e) => [e.code, e.pointer]), [
    ['UNUSED_ALLOW_UNSAFE', '/allow_unsafe/privileged'],
  ])
})

Guard('safe neighbours of unsafe settings pass', () => {
  for (const yaml of [
    'container:\n  add_capabilities: [net_admin]\n',
    'container:\n  volumes: ["/run/ipc:/run/ipc", "data:/var/data"]\n',
    'container:\n  devices: [-/dev/kvm, /dev/video0]\n',
    'container:\n  seccomp_profile: /usr/share/qm/seccomp-no-rt.json\n',
    'mode: package\ncontainer:\n  read_only: false\n',
    'nested:\n  - { name: n, image: x, pull: always, oom_score_adjust: 600 }\n',
    'container:\n  publish_ports: ["127.0.0.1:8443:443", "[::1]:5353:53/udp", "192.168.7.2::80"]\n',
  ]) {
    assert.equal(load(yaml).errors, [], yaml)
  }
})

Guard.run()

// ---

const InTree = suite('isolation guard: inspect of a built tree')

/** The case's config built on the tiny OS, as an rpm-installed image-mode host; `record` keeps the allow_unsafe record. */
async function builtCase(id: UnsafeId, record: boolean) {
  const c = UNSAFE_CASES[id]
  const yaml = withAllowed(`rootfs: { tarball: { source_path: ${TINY_ROOTFS} } }\n${c.yaml}`, { ...c.also, [id]: 'needed by this test case' })
  const { host } = built(yaml, { seed: await tinySeed() })
  asInstalledByRpm(host)
  if (id === 'selinux.no_labelling') {
    // the image labelled QM's trees with a policy that lacks the qm module
    for (const path of [QM.dir, QM.rootfs, QM.etc]) setMeta(host, path, { label: 'system_u:object_r:usr_t:s0' })
  }
  if (!record) put(host, `${QM.dropinDir}/10-qm.conf`, text(host, `${QM.dropinDir}/10-qm.conf`).replace(/^# allow_unsafe .*\n/gm, ''))
  return inspectTar(host)
}

for (const id of Object.keys(UNSAFE_CASES) as UnsafeId[]) {
  InTree(`${id}: an error in the tree, a warning with its reason when the config accepted it`, async () => {
    const accepted = (await builtCase(id, true)).findings.find((f) => f.id === id)
    assert.ok(accepted, 'reported')
    assert.is(accepted!.severity, 'warning')
    assert.match(accepted!.message, '(accepted: needed by this test case)')
    assert.is((await builtCase(id, false)).findings.find((f) => f.id === id)?.severity, 'error')
  })
}

InTree.run()
