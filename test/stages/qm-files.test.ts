// The generators that write QM's own configuration files into the QM tree.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { validateConfig } from '../../src/config/validate.ts'
import { UPSTREAM_CONTAINERS_CONF } from '../../src/qm/containers-conf.ts'
import { generate as subids } from '../../stages/subids.ts'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readSeed, writeTreeToDir } from '../../src/tree/export.ts'
import { createDir, createFile, getNode } from '../../src/tree/vtree.ts'
import { parse } from 'yaml'
import type { Stage } from '../../src/manifest/types.ts'
import type { Tree } from '../../src/tree/vtree.ts'
import { built, has, mode, rendered, text, TINY_ROOTFS, toml, unitOf } from '../_helpers/render.ts'
import { removeScratch, scratch } from '../_helpers/scratch.ts'

const ContainersConf = suite('qm-containers-conf')

ContainersConf('the defaults are upstream QM: nested containers at 750, in QM\'s netns, on 10.89.0.0/16, killed as a group', () => {
  assert.equal(validateConfig({}).config!.containers_conf, UPSTREAM_CONTAINERS_CONF)
  const { host } = built('')
  const conf = toml(host, '/etc/qm/containers/containers.conf')
  assert.equal(conf.containers, { default_ulimits: [], default_sysctls: [], cgroup_conf: ['memory.oom.group=1'], netns: 'host', oom_score_adj: 750 })
  assert.equal(conf.network, { default_subnet: '10.89.0.0/16' })
  assert.is(conf.engine, undefined)
  assert.is(mode(host, '/etc/qm/containers/containers.conf'), '644')
  assert.ok(has(host, '/usr/lib/qm/rootfs/etc/containers/containers.conf'), 'the rootfs keeps its copy too')
})

ContainersConf('values are written as TOML that reads back the same, quotes and all', () => {
  const conf = toml(
    built('containers_conf:\n  oom_score_adj: 900\n  netns: private\n  cgroup_conf: [\'memory.high="max"\']\n  env: [TMPDIR=/var/tmp]\n  default_ulimits: [nofile=1024:2048]\n').host,
    '/etc/qm/containers/containers.conf',
  )
  assert.equal(conf.containers!.oom_score_adj, 900)
  assert.equal(conf.containers!.cgroup_conf, ['memory.high="max"'])
  assert.equal(conf.containers!.default_ulimits, ['nofile=1024:2048'])
  assert.equal(conf.engine, { env: ['TMPDIR=/var/tmp'] })
})

ContainersConf.run()

// ---

const Contexts = suite('qm-selinux-contexts')

Contexts('nested containers run as qm_container_t, and QM\'s file_contexts replaces the policy\'s', () => {
  const { host } = built('policy: automotive\n')
  assert.match(text(host, '/usr/lib/qm/rootfs/usr/share/containers/selinux/contexts'), 'process = "system_u:system_r:qm_container_t:s0"')
  const fc = text(host, '/etc/qm/selinux/automotive/contexts/files/file_contexts').split('\n')
  assert.ok(fc.includes('(/.*)?\tsystem_u:object_r:qm_file_t:s0'))
  assert.ok(fc.includes('/var/lib/containers(/.*)?\tsystem_u:object_r:qm_container_var_lib_t:s0'))
  assert.ok(fc.includes('/usr/libexec/bluechi-agent\t--\tsystem_u:object_r:qm_bluechi_agent_exec_t:s0'))
  assert.is(new Set(fc).size, fc.length, 'no duplicate specs: setfiles refuses them')
})

Contexts('no policy in the config: stages and manifest say targeted, an mpp include takes the importing manifest\'s selinux_policy', () => {
  const FROM_MANIFEST = "{globals().get('selinux_policy', 'targeted')}"
  assert.ok(has(built('').host, '/etc/qm/selinux/targeted/contexts/files/file_contexts'), 'stages (the tree) keeps the default')
  const example = 'examples/07-local-tarball.qm.yaml'
  assert.match(rendered(readFileSync(example, 'utf8'), { format: 'manifest', file: example }).output!, '"to": "tree:///etc/selinux/targeted/contexts/files/file_contexts"')
  const mpp = rendered('').output!
  assert.not.match(mpp, 'targeted/', 'no literal policy left in the mpp include')
  const doc = parse(mpp) as { pipelines: { stages: Stage[] }[] }
  const stages = doc.pipelines[0]!.stages
  const packages = (stages[0]!.inputs!.packages as unknown as { 'mpp-depsolve': { packages: unknown[] } })['mpp-depsolve'].packages
  assert.ok(packages.some((p) => JSON.stringify(p) === JSON.stringify({ 'mpp-format-string': `selinux-policy-${FROM_MANIFEST}` })))
  const copied = stages.flatMap((s) => ((s.options?.paths ?? []) as { to?: unknown }[]).map((p) => p.to))
  assert.ok(copied.some((to) => JSON.stringify(to) === JSON.stringify({ 'mpp-format-string': `tree:///etc/selinux/${FROM_MANIFEST}/contexts/files/file_contexts` })))
  // a policy the config names is written as it is, in every format
  const given = rendered('policy: automotive\n').output!
  assert.match(given, '- selinux-policy-automotive')
  assert.match(given, 'tree:///etc/selinux/automotive/contexts/files/file_contexts')
  assert.not.match(given, 'selinux_policy')
})

Contexts('the policy\'s compiled, homedirs and local files cannot win over QM\'s: the directory reads as QM\'s file_contexts', () => {
  const { qm } = built('')
  const dir = '/etc/selinux/targeted/contexts/files'
  const fc = text(qm, `${dir}/file_contexts`)
  assert.is(text(qm, `${dir}/file_contexts.bin`), fc)
  for (const f of ['homedirs', 'homedirs.bin', 'local', 'local.bin']) assert.is(text(qm, `${dir}/file_contexts.${f}`), '', f)
})

Contexts('with the real libselinux: a policy\'s newer compiled file_contexts.bin no longer wins inside QM', async () => {
  if (spawnSync('sefcontext_compile', ['-h']).error || spawnSync('selabel_lookup', ['-h']).error) {
    console.log('  (skipped: sefcontext_compile or selabel_lookup missing)')
    return
  }
  const work = scratch('fc')
  try {
    // the policy package's files, compiled as its %post leaves them
    const policy = join(work, 'policy')
    mkdirSync(policy)
    writeFileSync(join(policy, 'file_contexts'), '/usr(/.*)?\tsystem_u:object_r:usr_t:s0\n')
    writeFileSync(join(policy, 'file_contexts.homedirs'), '/home/[^/]+\tsystem_u:object_r:user_home_dir_t:s0\n')
    for (const f of ['file_contexts', 'file_contexts.homedirs']) assert.is(spawnSync('sefcontext_compile', [join(policy, f)]).status, 0)
    const seed = await readSeed(TINY_ROOTFS)
    const dir = '/etc/selinux/targeted/contexts/files'
    let at = ''
    for (const part of dir.split('/').filter(Boolean)) if (!getNode(seed, (at += `/${part}`))) createDir(seed, at, { mode: 0o755, uid: 0, gid: 0 })
    for (const f of readdirSync(policy)) createFile(seed, `${dir}/${f}`, readFileSync(join(policy, f)), { mode: 0o644, uid: 0, gid: 0 })
    const { qm } = built('', { seed })
    writeTreeToDir(qm, join(work, 'qm'))
    const lookup = (key: string) => spawnSync('selabel_lookup', ['-b', 'file', '-k', key, '-f', join(work, 'qm', dir, 'file_contexts')], { encoding: 'utf8' }).stdout.trim()
    assert.is(lookup('/usr/bin/podman'), 'Default context: system_u:object_r:qm_file_t:s0')
    assert.is(lookup('/var/lib/containers/storage'), 'Default context: system_u:object_r:qm_container_var_lib_t:s0')
  } finally {
    removeScratch(work)
  }
})

Contexts.run()

// ---

const Subids = suite('subids')

Subids('QM and the host get upstream\'s id ranges for nested containers', () => {
  const { host } = built('')
  assert.is(text(host, '/etc/qm/subuid'), 'containers:1000000000:1500000000\n')
  assert.is(text(host, '/etc/qm/subgid'), 'containers:1000000000:1500000000\n')
  assert.is(text(host, '/etc/subuid'), 'qmcontainers:1000000000:1500000000\ncontainers:2500000000:1500000000\n')
  assert.is(text(host, '/etc/subgid'), text(host, '/etc/subuid'))
})

Subids('the host\'s files are written first, before the OS and users stages that add lines to them (osbuild cannot append)', () => {
  const plan = rendered('', { format: 'stages' }).plan!
  const writes = (stages: Stage[]) => stages.filter((s) => JSON.stringify(s.options ?? {}).includes('tree:///etc/sub'))
  assert.is(writes(plan.hostFirstStages).length, 1)
  assert.equal(writes(plan.hostStages), [], 'nothing after the OS rewrites them')
  const mpp = parse(rendered('').output!) as { 'mpp-vars': Record<string, Stage[]> }
  assert.equal(mpp['mpp-vars'].qm_host_first_stages, plan.hostFirstStages)
  const example = 'examples/07-local-tarball.qm.yaml'
  const manifest = JSON.parse(rendered(readFileSync(example, 'utf8'), { format: 'manifest', file: example }).output!) as { pipelines: { stages: Stage[] }[] }
  const overlay = manifest.pipelines.at(-1)!.stages
  assert.is(writes(overlay).length, 1)
  assert.ok(overlay.indexOf(writes(overlay)[0]!) < 2, 'first in the qm_host overlay too')
  // the example manifests splice them before the host's rpm stage
  const autosd = readFileSync('examples/autosd/autosd-qm.mpp.yml', 'utf8')
  assert.ok(autosd.indexOf('mpp-eval: qm_host_first_stages') < autosd.indexOf('type: org.osbuild.rpm', autosd.indexOf('name: rootfs')))
})

Subids('inspect reports QM\'s nested-container ranges missing inside QM or not reserved on the host', async () => {
  const { asInstalledByRpm, put, inspectTar } = await import('../_helpers/image.ts')
  const ids = async (tree: Tree) => (await inspectTar(tree)).findings.filter((f) => f.id.startsWith('subids.')).map((f) => [f.id, f.file])
  const { host } = built('')
  asInstalledByRpm(host)
  assert.equal(await ids(host), [])
  // a users stage that ran after qm-stage's and wrote the file whole
  put(host, '/etc/subuid', 'alice:100000:65536\n')
  assert.equal(await ids(host), [['subids.host_missing', '/etc/subuid']])
  put(host, '/etc/qm/subgid', '')
  assert.equal(await ids(host), [['subids.host_missing', '/etc/subuid'], ['subids.qm_missing', '/etc/qm/subgid']])
})

Subids('an empty host list leaves the host files alone', () => {
  const { host } = built('subids:\n  host: []\n')
  assert.not.ok(has(host, '/etc/subuid'))
  assert.equal(subids({ lines: [] }).stages, [])
})

Subids.run()

// ---

const Bluechi = suite('qm-bluechi')

Bluechi('the agent is qm.<node>, talks to the host controller socket, and is enabled', async () => {
  const { host } = built('node: ecu1\n')
  const agent = unitOf(host, '/etc/qm/bluechi/agent.conf.d/10-qm.conf')
  assert.is(agent.get('bluechi-agent', 'NodeName'), 'qm.ecu1')
  assert.is(agent.get('bluechi-agent', 'ControllerAddress'), 'unix:path=/run/bluechi/bluechi.sock')
})

Bluechi('TCP controller, a custom name and extra agent keys', () => {
  const agent = unitOf(
    built('bluechi:\n  node_name: qm.cabin\n  controller: { host: 192.168.1.10, port: 2020 }\n  agent: { LogLevel: DEBUG, HeartbeatInterval: 5000 }\n').host,
    '/etc/qm/bluechi/agent.conf.d/10-qm.conf',
  )
  assert.equal(
    ['NodeName', 'ControllerHost', 'ControllerPort', 'LogLevel', 'HeartbeatInterval', 'ControllerAddress'].map((k) => agent.get('bluechi-agent', k)),
    ['qm.cabin', '192.168.1.10', '2020', 'DEBUG', '5000', undefined],
  )
})

Bluechi('any BlueChi node name, as AutoSD manifests name QM\'s agent (agent-qm); inspect notes the missing qm. prefix', async () => {
  const { host } = built('bluechi:\n  node_name: agent-qm\n')
  assert.is(unitOf(host, '/etc/qm/bluechi/agent.conf.d/10-qm.conf').get('bluechi-agent', 'NodeName'), 'agent-qm')
  for (const name of ['agent-qm', 'ECU_1.qm', 'qm:cabin', '0']) assert.ok(built(`bluechi:\n  node_name: "${name}"\n`), name)
  const { asInstalledByRpm, inspectTar } = await import('../_helpers/image.ts')
  const r = await inspectTar(asInstalledByRpm(host))
  const f = r.findings.find((x) => x.id === 'bluechi.node_name_prefix')!
  assert.equal([f.severity, f.file], ['info', '/etc/qm/bluechi/agent.conf.d/10-qm.conf'])
})

Bluechi('disabled BlueChi writes nothing and enables nothing', () => {
  const { host, plan } = built('bluechi: { enabled: false }\n')
  assert.not.ok(has(host, '/etc/qm/bluechi'))
  assert.not.ok(plan.pipelines[0]!.stages.some((s) => s.type === 'org.osbuild.systemd'))
})

Bluechi.run()
