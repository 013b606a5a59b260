// The README's "How the defaults differ from upstream" table, qm-stage's column, against what
// qm-stage produces for the empty config (or the key a row names). Every row has pins here, and
// every pin is a code span of its row's qm-stage cell that must also hold in the produced tree:
// changing either the README or the output without the other fails.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import type { Stage } from '../src/manifest/types.ts'
import { QM } from '../src/qm/paths.ts'
import { UPSTREAM_QM_CONTAINER } from '../src/qm/qm-container.ts'
import { walk, type Tree } from '../src/tree/vtree.ts'
import { built, effectiveQm, has, rendered, text, unitOf } from './_helpers/render.ts'

const HEADING = '## How the defaults differ from upstream'

/** The table's rows: the first cell names the row, the fourth is qm-stage's. */
function readmeRows(): Map<string, string> {
  const readme = readFileSync('README.md', 'utf8')
  const section = readme.split(`${HEADING}\n`)[1]?.split('\n## ')[0]
  assert.ok(section, `the README has "${HEADING}"`)
  const lines = section.split('\n').filter((l) => l.startsWith('| '))
  assert.equal(lines[0]!.split(' | ').map((c) => c.replace(/^\| | \|$/g, '')), ['what', 'the qm rpm and `setup`', 'AIB 1.3 `qm: {}`', 'qm-stage', 'why'])
  const rows = new Map<string, string>()
  for (const line of lines.slice(1)) {
    const cells = line.replace(/^\| | \|$/g, '').split(' | ')
    assert.is(cells.length, 5, line)
    rows.set(cells[0]!, cells[3]!)
  }
  return rows
}

type Built = ReturnType<typeof built>
const empty = built('')

/** The host tree's tmpfiles.d file, its lines without comments. */
const tmpfiles = (b: Built) => text(b.host, QM.tmpfiles).split('\n').filter((l) => l && !l.startsWith('#'))
const lines = (tree: Tree, path: string) => text(tree, path).split('\n')
const stagesOf = (b: Built) => [...b.plan.pipelines.flatMap((p) => p.stages), ...b.plan.hostFirstStages, ...b.plan.hostStages]
const packages = (b: Built) => {
  const rpm = b.plan.pipelines[0]!.stages.find((s) => s.type === 'org.osbuild.rpm')!
  return (rpm.inputs!.packages as unknown as { 'mpp-depsolve': { packages: unknown[] } })['mpp-depsolve'].packages
}
const mppInclude = rendered('').output!
const FC = '/etc/qm/selinux/targeted/contexts/files/file_contexts'
const qmDropin = (name: string) => `${QM.dropinDir}/${name}`
const upstream = (key: string) => UPSTREAM_QM_CONTAINER.find((s) => s.name === 'Service')!.entries.find(([k]) => k === key)![1]
const nothingUnder = (tree: Tree, root: string) => walk(tree).every((e) => e.path !== root && !e.path.startsWith(`${root}/`))
const anyFileHas = (tree: Tree, needle: string) => walk(tree).some((e) => e.type === 'file' && text(tree, e.path).includes(needle))

/** Per row: a code span of the qm-stage cell, and what it says about the produced tree. */
const PINS: Record<string, [string, () => boolean][]> = {
  "QM's packages": [
    ...['systemd', 'podman', 'fuse-overlayfs', 'procps-ng', 'bluechi-agent'].map((p) => [p, () => packages(empty).includes(p)] as [string, () => boolean]),
    ['selinux-policy-<policy>', () => packages(empty).includes('selinux-policy-targeted') && packages(built('policy: automotive\n')).includes('selinux-policy-automotive')],
    ['/etc/yum.repos.d', () => nothingUnder(empty.qm, '/etc/yum.repos.d') && nothingUnder(empty.host, '/etc/qm/yum.repos.d')],
  ],
  'BlueChi agent in QM': [
    ['bluechi-agent.service', () => stagesOf(empty).some((s) => s.type === 'org.osbuild.systemd' && (s.options!.enabled_services as string[]).includes('bluechi-agent.service'))],
    ['/etc/bluechi/agent.conf.d/10-qm.conf', () => has(empty.host, '/etc/qm/bluechi/agent.conf.d/10-qm.conf')],
    ['NodeName=qm.host', () => unitOf(empty.host, '/etc/qm/bluechi/agent.conf.d/10-qm.conf').get('bluechi-agent', 'NodeName') === 'qm.host'],
    ['ControllerAddress=unix:path=/run/bluechi/bluechi.sock', () => unitOf(empty.host, '/etc/qm/bluechi/agent.conf.d/10-qm.conf').get('bluechi-agent', 'ControllerAddress') === 'unix:path=/run/bluechi/bluechi.sock'],
  ],
  "the controller's socket in QM": [
    ['30-qm-bluechi.conf', () => effectiveQm(empty.host).dropins.includes(qmDropin('30-qm-bluechi.conf'))],
    ['Volume=/run/bluechi:/run/bluechi', () => effectiveQm(empty.host).list('Container', 'Volume').includes('/run/bluechi:/run/bluechi')],
    ['After=bluechi-controller.socket', () => effectiveQm(empty.host).list('Unit', 'After').includes('bluechi-controller.socket')],
    ['d /run/bluechi 0700 root root -', () => tmpfiles(empty).includes('d /run/bluechi 0700 root root -')],
  ],
  "QM's `/var` (`mode: image`)": [
    ['/usr/share/factory/var/qm', () => walk(empty.host).some((e) => e.path === QM.varSeed && e.type === 'dir')],
    ['C /var/qm - - - - /usr/share/factory/var/qm', () => tmpfiles(empty).includes('C /var/qm - - - - /usr/share/factory/var/qm')],
    ['/var', () => nothingUnder(empty.host, '/var')],
  ],
  "`/var/qm/tmp` (QM's `/var/tmp`)": [
    ['d /var/qm/tmp 1777 root root -', () => tmpfiles(empty).includes('d /var/qm/tmp 1777 root root -')],
    ['mode: package', () => walk(built('mode: package\n').host).some((e) => e.path === QM.varTmp && e.type === 'dir' && e.mode === 0o1777)],
  ],
  'SELinux policy': [
    ['mpp', () => mppInclude.includes("selinux-policy-{globals().get('selinux_policy', 'targeted')}")],
    ['selinux_policy', () => !mppInclude.includes('/targeted/')],
    ['targeted', () => has(empty.host, FC)],
    ['policy', () => has(built('policy: automotive\n').host, '/etc/qm/selinux/automotive/contexts/files/file_contexts')],
  ],
  "QM's `contexts/files/`": [
    ['file_contexts', () => text(empty.host, FC).startsWith('(/.*)?\tsystem_u:object_r:qm_file_t:s0\n')],
    ['file_contexts.bin', () => text(empty.host, `${FC}.bin`) === text(empty.host, FC)],
    ['file_contexts.homedirs', () => text(empty.host, `${FC}.homedirs`) === '' && text(empty.host, `${FC}.homedirs.bin`) === ''],
    ['file_contexts.local', () => text(empty.host, `${FC}.local`) === '' && text(empty.host, `${FC}.local.bin`) === ''],
  ],
  'containers.conf in QM': [
    ['/etc/qm/containers/containers.conf', () => has(empty.host, '/etc/qm/containers/containers.conf')],
    ['/etc/containers/containers.conf', () => has(empty.qm, '/etc/containers/containers.conf') && !has(empty.qm, '/usr/share/containers/containers.conf')],
    ...['oom_score_adj = 750', 'netns = "host"', 'default_subnet = "10.89.0.0/16"'].map((l) => [l, () => lines(empty.host, '/etc/qm/containers/containers.conf').includes(l)] as [string, () => boolean]),
    ['TMPDIR', () => !anyFileHas(empty.host, 'TMPDIR')],
  ],
  'storage.conf in QM': [
    ['/usr/share/containers/storage.conf', () => has(empty.qm, '/usr/share/containers/storage.conf') && !has(empty.qm, '/etc/containers/storage.conf')],
    ['transient_store = true', () => lines(empty.qm, '/usr/share/containers/storage.conf').includes('transient_store = true')],
    ['additionalimagestores', () => !text(empty.qm, '/usr/share/containers/storage.conf').includes('additionalimagestores')],
  ],
  'host `/etc/subuid`, `/etc/subgid`': [
    ...['qmcontainers:1000000000:1500000000', 'containers:2500000000:1500000000'].map(
      (l) => [l, () => ['/etc/subuid', '/etc/subgid'].every((f) => lines(empty.host, f).includes(l))] as [string, () => boolean],
    ),
    ['qm_host_first_stages', () => parse(mppInclude)['mpp-vars'].qm_host_first_stages.some((s: Stage) => JSON.stringify(s).includes('tree:///etc/subuid'))],
    ['containers:1000000000:1500000000', () => ['/etc/qm/subuid', '/etc/qm/subgid'].every((f) => text(empty.host, f) === 'containers:1000000000:1500000000\n')],
  ],
  'host OOM order': [
    ['/usr/lib/systemd/system.conf.d/10-qm-oom.conf', () => has(empty.host, QM.managerDropin)],
    ['DefaultOOMScoreAdjust=-1000', () => unitOf(empty.host, QM.managerDropin).get('Manager', 'DefaultOOMScoreAdjust') === '-1000'],
    ['MemoryMin=', () => !anyFileHas(empty.host, 'MemoryMin')],
  ],
  'qm.service resources': [
    ['10-qm.conf', () => effectiveQm(empty.host).dropins.includes(qmDropin('10-qm.conf'))],
    ...['MemoryMax=infinity', 'MemoryHigh=infinity', 'CPUWeight=idle', 'IOWeight=50', 'TasksMax=50%', 'OOMScoreAdjust=500'].map((kv) => {
      const [key, value] = kv.split('=') as [string, string]
      // in the drop-in, and the value qm.container already has
      return [kv, () => unitOf(empty.host, qmDropin('10-qm.conf')).get('Service', key) === value && upstream(key) === value] as [string, () => boolean]
    }),
    ['ReadOnly=false', () => effectiveQm(built('mode: package\n').host).get('Container', 'ReadOnly') === 'false' && effectiveQm(empty.host).get('Container', 'ReadOnly') === 'true'],
  ],
  labels: [
    ...['/usr/lib/qm', '/etc/qm'].map((dir) => [dir, () => labelled(empty).includes(`tree://${dir}`)] as [string, () => boolean]),
    ['/var/qm', () => !labelled(empty).includes('tree:///var/qm') && labelled(built('mode: package\n')).includes('tree:///var/qm')],
    ['org.osbuild.selinux', () => labelled(empty).length === 2],
  ],
  "AIB's own QM additions": [
    ...['org.osbuild.systemd-sysusers', 'org.osbuild.locale', 'org.osbuild.timezone'].map((t) => [t, () => !stagesOf(empty).some((s) => s.type === t)] as [string, () => boolean]),
    ['/etc/systemd/system.conf.d/00-host.conf', () => !has(empty.qm, '/etc/systemd/system.conf.d/00-host.conf')],
  ],
  'qm.service generated': [['/usr/lib/systemd/system/qm.service', () => !has(empty.host, '/usr/lib/systemd/system/qm.service')]],
  '`nested[].container_name`': [
    ['ContainerName=<name>', () => unitOf(built('nested:\n  - { name: radio, image: quay.io/x/radio, pull: missing }\n').host, '/etc/qm/containers/systemd/radio.container').get('Container', 'ContainerName') === 'radio'],
  ],
  '`container.seccomp_profile: default`': [
    ['SeccompProfile=', () => effectiveQm(built('container: { seccomp_profile: default }\nallow_unsafe:\n  seccomp.default: the radio needs realtime scheduling\n').host).get('Container', 'SeccompProfile') === ''],
    // without the key, upstream's profile stays
    ['SeccompProfile=', () => effectiveQm(empty.host).get('Container', 'SeccompProfile') === QM.seccompProfile],
  ],
}

/** The org.osbuild.selinux targets of the host stages. */
function labelled(b: Built): string[] {
  return b.plan.hostStages.filter((s) => s.type === 'org.osbuild.selinux').map((s) => String(s.options!.target))
}

const Table = suite('README: how the defaults differ from upstream')

Table('every row of the table is pinned here, and every pin is a row', () => {
  assert.equal([...readmeRows().keys()].sort(), Object.keys(PINS).sort())
})

for (const [row, pins] of Object.entries(PINS)) {
  Table(`${row}: qm-stage's cell says what the produced tree has`, () => {
    const cell = readmeRows().get(row)
    assert.ok(cell, `a README row "${row}"`)
    for (const [span, holds] of pins) {
      assert.ok(cell.includes(`\`${span}\``), `the README's qm-stage cell of "${row}" names \`${span}\`:\n${cell}`)
      assert.ok(holds(), `"${row}": the produced tree does not have what \`${span}\` says`)
    }
  })
}

Table.run()
