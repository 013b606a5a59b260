import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { Ajv } from 'ajv'
import { inspect } from '../../src/inspect/inspect.ts'
import type { Report } from '../../src/inspect/report.ts'
import reportSchema from '../../src/inspect/report.schema.json' with { type: 'json' }
import { QM } from '../../src/qm/paths.ts'
import { treeToTar, writeTreeToDir } from '../../src/tree/export.ts'
import { emptyTree } from '../../src/tree/vtree.ts'
import { asInstalledByRpm, link, put, inspectTar } from '../_helpers/image.ts'
import { built, tinySeed, TINY_ROOTFS } from '../_helpers/render.ts'
import { scratchFor } from '../_helpers/scratch.ts'

const validReport = new Ajv({ allErrors: true, strict: true }).compile(reportSchema)
const ids = (r: Report, severity?: string) => r.findings.filter((f) => !severity || f.severity === severity).map((f) => f.id)
const value = (r: Report, section: string, key: string) => r.quadlet.settings.find((s) => s.section === section && s.key === key)
const D = QM.dropinDir

/** A QM rendered by qm-stage on the tiny OS, as the rpm-installed host would carry it. */
async function image(yaml: string, extend?: (tree: ReturnType<typeof emptyTree>) => void) {
  const { host, config } = built(`rootfs: { tarball: { source_path: ${TINY_ROOTFS} } }\n${yaml}`, { seed: await tinySeed() })
  asInstalledByRpm(host, { imageMode: config.mode === 'image' })
  extend?.(host)
  return host
}

const Inspect = suite('inspect')
const tmp = scratchFor(Inspect, 'inspect-kinds')

Inspect('reports placement, the effective qm.container with its sources, and what is inside QM', async () => {
  const r = await inspectTar(await image('memory_limit: { max: 4G }\n'))
  assert.ok(validReport(r), JSON.stringify(validReport.errors))
  assert.equal([r.input.kind, r.imageMode], ['tar', true])
  assert.equal([r.placement.rootfs.present, r.placement.var.present, r.placement.varTmp.present, r.placement.varFiles], [true, false, false, []])
  assert.equal(r.placement.tmpfiles, [
    { type: 'C', path: '/var/qm', argument: '/usr/share/factory/var/qm', file: '/usr/lib/tmpfiles.d/qm-stage.conf', line: 3 },
    { type: 'd', path: '/var/qm/tmp', mode: '1777', file: '/usr/lib/tmpfiles.d/qm-stage.conf', line: 5 },
  ])
  assert.is(r.placement.init, `${QM.rootfs}/usr/lib/systemd/systemd`)
  assert.is(r.quadlet.unit, QM.quadlet)
  assert.equal(r.quadlet.dropins, [`${D}/10-qm.conf`, `${D}/30-qm-bluechi.conf`])
  assert.equal(value(r, 'Service', 'MemoryMax')!.value, { value: '4G', file: `${D}/10-qm.conf`, line: 5 })
  assert.equal(value(r, 'Service', 'MemoryMax')!.overridden!.map((s) => s.file), [QM.quadlet])
  assert.equal(value(r, 'Container', 'DropCapability')!.values!.map((s) => s.value), ['sys_boot', 'sys_resource'])
  assert.equal(r.inside.containersConf.oomScoreAdj, { value: '750', file: '/etc/qm/containers/containers.conf', line: 7 })
  assert.equal([r.bluechi.nodeName?.value, r.bluechi.enabled], ['qm.host', true])
  assert.equal(ids(r, 'error'), [])
})

Inspect('an /etc drop-in hides a same-named /usr/share one; a type-wide container.d applies; an empty value resets a list', async () => {
  const tree = await image('', (t) => {
    put(t, `${D}/50-site.conf`, '[Service]\nMemoryHigh=1G\n')
    put(t, `${QM.adminDropinDir}/50-site.conf`, '[Service]\nMemoryHigh=2G\n')
    put(t, '/etc/containers/systemd/container.d/60-all.conf', '[Container]\nDropCapability=\nDropCapability=sys_boot net_raw\n')
  })
  const r = await inspectTar(tree)
  assert.equal(r.quadlet.overridden, [`${D}/50-site.conf`])
  assert.equal(value(r, 'Service', 'MemoryHigh')!.value, { value: '2G', file: `${QM.adminDropinDir}/50-site.conf`, line: 2 })
  assert.equal(value(r, 'Container', 'DropCapability')!.values!.map((s) => s.value), ['sys_boot', 'net_raw'])
  assert.equal(ids(r, 'error'), ['capability.sys_resource'], 'the reset gave QM CAP_SYS_RESOURCE back')
  assert.is(r.findings.find((f) => f.id === 'capability.sys_resource')!.file, '/etc/containers/systemd/container.d/60-all.conf')
})

Inspect('a pregenerated qm.service with the generator masked ignores drop-ins (containers/qm#715)', async () => {
  const tree = await image('memory_limit: { max: 4G }\n', (t) => {
    const upstream = 'MemoryMax=infinity\nMemoryHigh=infinity\nCPUWeight=idle\nIOWeight=50\nTasksMax=50%\nOOMScoreAdjust=500\n'
    put(t, '/usr/lib/systemd/system/qm.service', `[Service]\n${upstream}ExecStart=/usr/bin/podman run qm\n`)
    link(t, '/etc/systemd/system-generators/podman-system-generator', '/dev/null')
  })
  const r = await inspectTar(tree)
  assert.equal(r.quadlet.pregenerated, {
    path: '/usr/lib/systemd/system/qm.service',
    generatorMasked: true,
    dropinsIgnored: true,
    differs: ['MemoryMax: Quadlet says 4G, /usr/lib/systemd/system/qm.service says infinity'],
  })
  assert.ok(ids(r).includes('quadlet.pregenerated'))
  assert.ok(ids(r, 'error').includes('quadlet.pregenerated_stale'))
})

Inspect('nested Quadlets: the /etc/qm copy runs, the rootfs copy is shadowed; OOM order and embedding are checked', async () => {
  const tree = await image('nested:\n  - { name: radio, image: localhost/radio, pull: never, oom_score_adjust: 900 }\ncontainer_images: [{ source: quay.io/o/radio, name: localhost/radio }]\n', (t) => {
    put(t, `${QM.rootfs}/etc/containers/systemd/radio.container`, '[Container]\nImage=old\n')
    put(t, `${QM.etc}/containers/systemd/tuner.container`, '[Container]\nImage=quay.io/o/tuner\n[Service]\nOOMScoreAdjust=100\n')
  })
  const r = await inspectTar(tree)
  const radio = r.inside.nested.find((n) => n.name === 'radio')!
  assert.equal([radio.file, radio.shadowed, radio.oomScoreAdjust?.value, radio.pull], [`${QM.etc}/containers/systemd/radio.container`, [`${QM.rootfs}/etc/containers/systemd/radio.container`], '900', 'never'])
  assert.is(radio.imageEmbedded, false, 'no store holds it (skopeo did not run)')
  assert.ok(ids(r).includes('nested.shadowed'))
  assert.equal(ids(r, 'error').sort(), ['nested.image_not_embedded', 'oom.nested_below_qm', 'storage.image_store_missing'])
})

Inspect('a nested Quadlet with a dash in its name takes prefix drop-ins, as Quadlet applies them', async () => {
  const tree = await image('nested:\n  - { name: radio-tuner, image: quay.io/o/radio, pull: missing, oom_score_adjust: 800 }\n', (t) => {
    put(t, `${QM.etc}/containers/systemd/radio-.container.d/50-oom.conf`, '[Service]\nOOMScoreAdjust=950\n')
  })
  const tuner = (await inspectTar(tree)).inside.nested.find((n) => n.name === 'radio-tuner')!
  assert.equal(tuner.oomScoreAdjust, { value: '950', file: `${QM.etc}/containers/systemd/radio-.container.d/50-oom.conf`, line: 2 })
})

Inspect('an embedded image in the store listed by storage.conf counts as embedded', async () => {
  const tree = await image('nested:\n  - { name: radio, image: localhost/radio }\ncontainer_images: [{ source: quay.io/o/radio, name: localhost/radio }]\n', (t) => {
    put(t, `${QM.rootfs}/usr/lib/containers/storage/overlay-images/images.json`, JSON.stringify([{ id: 'x', names: ['localhost/radio:latest'] }]))
  })
  const r = await inspectTar(tree)
  assert.equal(r.inside.storage.imageStores, ['/usr/lib/containers/storage'])
  assert.equal(r.inside.embeddedImages, ['localhost/radio:latest'])
  assert.is(r.inside.nested[0]!.imageEmbedded, true)
  assert.not.ok(ids(r).includes('storage.image_store_missing'))
})

Inspect('a tree without QM, and a QM without its seeds, say so', async () => {
  const bare = emptyTree()
  put(bare, '/etc/os-release', 'ID=x\n')
  assert.equal(ids(await inspectTar(bare), 'error'), ['placement.rootfs_missing', 'quadlet.missing', 'selinux.module_missing'])
  const tree = await image('mode: package\n')
  const { removePath } = await import('../../src/tree/vtree.ts')
  const r = await inspectTar(tree)
  assert.equal([r.imageMode, r.placement.varTmp.mode, r.placement.varTmp.label], [false, '1777', 'system_u:object_r:qm_file_t:s0'])
  removePath(tree, QM.varTmp)
  assert.not.ok(ids(await inspectTar(tree), 'error').includes('placement.var_tmp_missing'), 'tmpfiles.d still makes it')
  removePath(tree, QM.tmpfiles)
  assert.ok(ids(await inspectTar(tree), 'error').includes('placement.var_tmp_missing'))
})

Inspect('image mode: files under /var/qm are lost, and /var/qm/tmp needs a tmpfiles.d line', async () => {
  const { removePath } = await import('../../src/tree/vtree.ts')
  const tree = await image('')
  assert.equal(ids(await inspectTar(tree)).filter((id) => /^(tmpfiles|placement)\./.test(id)), [])
  put(tree, `${QM.varTmp}/.keep`, '')
  put(tree, `${QM.var}/lib/app/state.db`, 'x')
  let r = await inspectTar(tree)
  const lost = r.findings.find((f) => f.id === 'placement.var_files_lost')!
  assert.equal([lost.severity, lost.file], ['warning', `${QM.var}/lib/app/state.db`])
  assert.match(lost.message, /^2 regular file\(s\) under \/var\/qm \(\/var\/qm\/lib\/app\/state\.db, \/var\/qm\/tmp\/\.keep\)/)
  for (let i = 0; i < 30; i++) put(tree, `${QM.var}/lib/many/${i}`, 'x')
  r = await inspectTar(tree)
  assert.is(r.placement.varFiles.length, 20, 'bounded')
  assert.match(r.findings.find((f) => f.id === 'placement.var_files_lost')!.message, /^at least 20 regular file/)
  removePath(tree, QM.tmpfiles)
  r = await inspectTar(tree)
  assert.ok(ids(r, 'error').includes('tmpfiles.var_tmp_missing'), 'the tree\'s /var/qm/tmp does not count: it is deployed at most once')
  // an /etc file of the same name masks the /usr/lib one
  const fixed = await image('')
  put(fixed, `/etc/tmpfiles.d/qm-stage.conf`, '# nothing\n')
  assert.ok(ids(await inspectTar(fixed), 'error').includes('tmpfiles.var_tmp_missing'))
})

Inspect('BlueChi: the agent name and the shared socket', async () => {
  const r = await inspectTar(await image('', (t) => put(t, `${QM.etc}/bluechi/agent.conf.d/90-local.conf`, '[bluechi-agent]\nNodeName=cabin\nControllerAddress=unix:path=/run/other.sock\n')))
  assert.equal([r.bluechi.nodeName?.value, r.bluechi.nodeName?.file], ['cabin', `${QM.etc}/bluechi/agent.conf.d/90-local.conf`])
  assert.ok(ids(r).includes('bluechi.node_name_prefix'))
  assert.ok(ids(r).includes('bluechi.socket_not_shared'))
})

Inspect('directories, gzip by content, and standard input give the same report', async () => {
  const tree = await image('cpu_weight: 30\n')
  const tar = await treeToTar(tree)
  const work = tmp()
  writeFileSync(join(work, 'image.bin'), gzipSync(tar))
  writeTreeToDir(tree, join(work, 'dir'))
  const fromTar = await inspectTar(tree)
  const fromGz = await inspect(join(work, 'image.bin'))
  const fromStdin = await inspect('-', { stdin: async function* () { yield tar } })
  const fromDir = await inspect(join(work, 'dir'))
  assert.equal([fromGz.input.kind, fromStdin.input.kind, fromDir.input.kind], ['tar.gz', 'tar', 'dir'])
  for (const r of [fromGz, fromStdin]) assert.equal({ ...r, input: fromTar.input }, fromTar)
  assert.equal(fromDir.quadlet.settings, fromTar.quadlet.settings)
  assert.ok(ids(fromDir).includes('selinux.labels_unknown'), 'a directory cannot show labels')
  assert.equal(readdirSync(work).sort(), ['dir', 'image.bin'], 'inspect wrote nothing')
})

Inspect.run()
