// The generators of the host stages: placement, QM's host files, SELinux.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { UPSTREAM_QM_CONTAINER } from '../../src/qm/qm-container.ts'
import { walk } from '../../src/tree/vtree.ts'
import { parseUnit } from '../../src/units/parse.ts'
import { render } from '../../src/render/render.ts'
import { built, effectiveQm, entryAt, has, mode, rendered, text, tinySeed, TINY_ROOTFS } from '../_helpers/render.ts'

const Placement = suite('host-placement')

Placement('package mode: the QM tree is the rootfs, its /etc and /var the writable seeds, /var/qm/tmp a sticky tmp', async () => {
  const { host, qm } = built(`mode: package\nrootfs:\n  tarball: { source_path: ${TINY_ROOTFS} }\n`, { seed: await tinySeed() })
  const under = (root: string) => walk(host, root).map((e) => e.path.slice(root.length))
  assert.equal(under('/usr/lib/qm/rootfs'), walk(qm).map((e) => (e.path === '/' ? '' : e.path)))
  assert.equal(under('/etc/qm'), walk(qm, '/etc').map((e) => e.path.slice('/etc'.length)))
  assert.equal(under('/var/qm'), walk(qm, '/var').map((e) => e.path.slice('/var'.length)))
  assert.is(text(host, '/etc/qm/os-release'), text(qm, '/etc/os-release'))
  assert.is(mode(host, '/var/qm/tmp'), '1777')
  assert.is(entryAt(host, '/var/qm/tmp')!.type, 'dir')
  assert.not.ok(has(host, '/usr/share/factory/var/qm'))
})

Placement('image mode: QM\'s /var is the read-only seed in /usr/share/factory, and nothing is under /var', async () => {
  const { host, qm } = built(`rootfs:\n  tarball: { source_path: ${TINY_ROOTFS} }\n`, { seed: await tinySeed() })
  const under = (root: string) => walk(host, root).map((e) => e.path.slice(root.length))
  assert.equal(under('/usr/share/factory/var/qm'), walk(qm, '/var').map((e) => e.path.slice('/var'.length)))
  assert.not.ok(has(host, '/var'))
})

Placement('the pipeline name is the config\'s', () => {
  const { plan } = rendered('pipeline: qm_os\n', { format: 'stages' })
  assert.is(plan!.pipelines[0]!.name, 'qm_os')
  assert.equal(plan!.hostStages[1]!.inputs!.qm!.references, ['name:qm_os'])
})

Placement.run()

// ---

const Quadlet = suite('host-quadlet')

const PLUGIN = `host_files: plugin
container: { seccomp_source: { source_path: seccomp-no-rt.json } }
selinux: { module: { source_path: qm.pp.bz2 } }
`

Quadlet('host_files: plugin writes qm.container with upstream\'s values and every file it names', () => {
  const { host } = built(PLUGIN, { file: 'test/fixtures/plugin/qm.yaml' })
  const unit = parseUnit(text(host, '/usr/share/containers/systemd/qm.container'), 'qm.container')
  assert.equal(unit.issues, [])
  assert.equal(
    unit.entries.map((e) => [e.section, e.key, e.value]),
    UPSTREAM_QM_CONTAINER.flatMap((s) => s.entries.map(([k, v]) => [s.name, k, v])),
  )
  assert.is(text(host, '/usr/share/qm/seccomp-no-rt.json'), '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]}\n')
  assert.is(effectiveQm(host).get('Container', 'SeccompProfile'), '/usr/share/qm/seccomp-no-rt.json')
  assert.ok(has(host, '/usr/share/qm/containers.conf') && has(host, '/usr/share/qm/contexts') && has(host, '/usr/share/qm/file_contexts'))
  assert.is(entryAt(host, '/etc/containers/systemd/qm.container.d')!.type, 'dir')
  assert.is(text(host, '/usr/share/selinux/packages/qm.pp.bz2'), 'BZh9-not-really-a-policy\n')
})

Quadlet('host_files: rpm leaves qm.container and the module to the rpm', () => {
  const { host } = built('')
  assert.not.ok(has(host, '/usr/share/containers/systemd/qm.container'))
  assert.not.ok(has(host, '/usr/share/selinux/packages/qm.pp.bz2'))
})

Quadlet('files from a pipeline of the importing manifest are copied from its tree', () => {
  const { plan } = rendered('host_files: plugin\ncontainer: { seccomp_source: { pipeline: build } }\nselinux: { module: { pipeline: build } }\n', { format: 'stages' })
  const copies = plan!.hostStages.filter((s) => s.type === 'org.osbuild.copy')
  const refs = copies.flatMap((c) => Object.values(c.inputs!)).filter((i) => i.origin === 'org.osbuild.pipeline' && i.type === 'org.osbuild.files')
  assert.equal(refs.map((i) => i.references), [
    { 'name:build': { file: '/usr/share/qm/seccomp-no-rt.json' } },
    { 'name:build': { file: '/usr/share/selinux/packages/qm.pp.bz2' } },
  ])
})

Quadlet.run()

// ---

const Seccomp = suite('host-seccomp')

const CUSTOM = 'container:\n  seccomp_profile: /usr/share/qm/custom.json\n  seccomp_source: { source_path: seccomp-no-rt.json }\n'
const PROFILE = '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]}\n'

Seccomp('with the qm rpm, a profile from seccomp_source is in the image where the drop-in points, in both modes', () => {
  for (const mode of ['image', 'package']) {
    const { host } = built(`mode: ${mode}\n${CUSTOM}`, { file: 'test/fixtures/plugin/qm.yaml' })
    assert.is(effectiveQm(host).get('Container', 'SeccompProfile'), '/usr/share/qm/custom.json', mode)
    assert.is(text(host, '/usr/share/qm/custom.json'), PROFILE, mode)
    assert.is(entryAt(host, '/usr/share/qm/custom.json')!.mode, 0o644, mode)
    // the rpm still provides qm.container: only the profile is added
    assert.not.ok(has(host, '/usr/share/containers/systemd/qm.container'), mode)
  }
})

Seccomp('automotive-image-builder gets the profile as a host file beside the manifest; a pipeline file is refused', () => {
  const { output } = rendered(CUSTOM, { format: 'aib', file: 'test/fixtures/plugin/qm.yaml' })
  assert.match(output!, /- path: \/usr\/share\/qm\/custom\.json # qm-stage\n\s+source_path: test\/fixtures\/plugin\/seccomp-no-rt\.json\n/)
  const piped = render(Buffer.from('container:\n  seccomp_profile: /usr/share/qm/custom.json\n  seccomp_source: { pipeline: build }\n'), { file: 'qm.yaml', format: 'aib' })
  assert.equal(piped.errors.map((e) => `${e.code} ${e.pointer}`), ['FORMAT_UNSUPPORTED /container/seccomp_source/pipeline'])
})

Seccomp('a written profile stays a .json file in /usr/share/qm, and never replaces the rpm\'s own', () => {
  const codes = (yaml: string) => render(Buffer.from(yaml), { file: 'test/fixtures/plugin/qm.yaml' }).errors.map((e) => `${e.code} ${e.pointer}`)
  assert.equal(codes('container:\n  seccomp_profile: /etc/containers/custom.json\n  seccomp_source: { source_path: seccomp-no-rt.json }\n'), ['PATH_NOT_ALLOWED /container/seccomp_profile'])
  assert.equal(codes('container:\n  seccomp_profile: /usr/share/qm/custom\n  seccomp_source: { source_path: seccomp-no-rt.json }\n'), ['PATH_NOT_ALLOWED /container/seccomp_profile'])
  assert.equal(codes('container:\n  seccomp_source: { source_path: seccomp-no-rt.json }\n'), ['CONFLICT /container/seccomp_source'])
  assert.equal(codes(CUSTOM), [])
})

Seccomp.run()

// ---

const Selinux = suite('host-selinux')

Selinux('QM\'s trees are labelled with the qm module\'s file contexts', async () => {
  const { host } = built(`rootfs:\n  tarball: { source_path: ${TINY_ROOTFS} }\n`, { seed: await tinySeed() })
  const label = (p: string) => entryAt(host, p)?.label
  assert.is(label('/usr/lib/qm'), 'system_u:object_r:qm_file_t:s0')
  assert.is(label('/usr/lib/qm/rootfs/usr/bin/podman'), 'system_u:object_r:qm_file_t:s0')
  assert.is(label('/usr/lib/qm/rootfs/usr/libexec/bluechi-agent'), 'system_u:object_r:qm_bluechi_agent_exec_t:s0')
  assert.is(label('/etc/qm/containers/containers.conf'), 'system_u:object_r:qm_file_t:s0')
  assert.is(label('/usr/share/factory/var/qm/tmp'), undefined, 'the image-mode seed is labelled by the image\'s policy; tmpfiles.d labels the copy')
  assert.is(label('/etc/subuid'), undefined, 'nothing outside QM is touched')
})

Selinux('package mode labels /var/qm too', async () => {
  const { host } = built(`mode: package\nrootfs:\n  tarball: { source_path: ${TINY_ROOTFS} }\n`, { seed: await tinySeed() })
  assert.is(entryAt(host, '/var/qm/tmp')?.label, 'system_u:object_r:qm_file_t:s0')
})

Selinux('label: false (an explicit opt-in) leaves labelling to the image', () => {
  const { plan } = rendered('selinux: { label: false }\nallow_unsafe:\n  selinux.no_labelling: "the image relabels the whole tree at the end"\n', { format: 'stages' })
  assert.not.ok(plan!.hostStages.some((s) => s.type === 'org.osbuild.selinux'))
})

Selinux.run()

// ---

const Oom = suite('host-oom')

Oom('host services default below QM in the OOM order, unless the config says 0', () => {
  const { host } = built('')
  const path = '/usr/lib/systemd/system.conf.d/10-qm-oom.conf'
  assert.equal(parseUnit(text(host, path), path, 'systemd').entries.map((e) => [e.section, e.key, e.value]), [['Manager', 'DefaultOOMScoreAdjust', '-1000']])
  assert.not.ok(has(built('host_oom_score_adjust: 0\n').host, '/usr/lib/systemd/system.conf.d/10-qm-oom.conf'))
})

Oom.run()
