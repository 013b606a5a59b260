import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { exampleConfigs, MANIFESTS_DIR, renderedExamples } from '../scripts/examples.ts'
import { render } from '../src/render/render.ts'
import { built, effectiveQm, entryAt, tinySeed, unitOf } from './_helpers/render.ts'

const rendered = renderedExamples()
const example = (name: string) => readFileSync(join('examples', name), 'utf8')
const build = async (name: string) => built(example(name), { file: join('examples', name), seed: await tinySeed() })

const Examples = suite('examples')

Examples('manifests/ holds exactly what render gives for examples/ (run npm run manifests)', () => {
  const checkedIn = readdirSync(MANIFESTS_DIR).filter((f) => f.endsWith('.json') || f.endsWith('.ipp.yml') || f.endsWith('.aib.yml')).sort()
  assert.equal(checkedIn, [...rendered.keys()].sort())
  for (const [name, content] of rendered) assert.ok(readFileSync(join(MANIFESTS_DIR, name), 'utf8') === content, `${name} is stale`)
})

Examples('every example renders to the same bytes twice', () => {
  assert.equal(renderedExamples(), rendered)
})

Examples('an example that needs package resolution names the buildable alternatives in manifest format', () => {
  const { errors } = render(Buffer.from(example('01-minimal.qm.yaml')), { file: 'examples/01-minimal.qm.yaml', format: 'manifest' })
  assert.equal(errors.map((e) => e.code), ['FORMAT_UNSUPPORTED'])
  assert.match(errors[0]!.message, /rpms \(url \+ sha256 each\) or tarball/)
})

Examples('02: an automotive-image-builder qm: section gives its resources and content', async () => {
  const { host } = await build('02-aib-resources.qm.yaml')
  const qm = effectiveQm(host)
  assert.equal(['MemoryMax', 'MemoryHigh', 'CPUWeight'].map((k) => qm.get('Service', k)), ['4G', '3G', '50'])
  assert.is(entryAt(host, '/etc/qm/radio/current.conf')!.target, 'radio.conf')
  assert.is(entryAt(host, '/etc/qm/radio/radio.conf')!.mode.toString(8), '640')
  assert.is(entryAt(host, '/etc/qm/systemd/system/systemd-resolved.service')!.target, '/dev/null')
})

Examples('03: the README\'s nested OOM scenario, capability re-added', async () => {
  const { host } = await build('03-nested-oom.qm.yaml')
  const score = (n: string) => unitOf(host, `/etc/qm/containers/systemd/${n}.container`).get('Service', 'OOMScoreAdjust')
  assert.equal([score('nested'), score('nested2')], ['1000', '100'])
  assert.equal(effectiveQm(host).list('Container', 'DropCapability'), ['sys_boot'])
})

Examples('04: BlueChi agent named qm.ecu1 reaches the host controller through the shared socket directory', async () => {
  const { host } = await build('04-bluechi-socket.qm.yaml')
  const agent = unitOf(host, '/etc/qm/bluechi/agent.conf.d/10-qm.conf')
  assert.equal([agent.get('bluechi-agent', 'NodeName'), agent.get('bluechi-agent', 'ControllerAddress')], ['qm.ecu1', 'unix:path=/run/bluechi/bluechi.sock'])
  assert.ok(effectiveQm(host).list('Container', 'Volume').includes('/run/bluechi:/run/bluechi'))
})

Examples('05: the nested Quadlet runs the embedded image and never pulls', async () => {
  const { host, plan } = await build('05-embedded-image.qm.yaml')
  const audio = unitOf(host, '/etc/qm/containers/systemd/audio.container')
  assert.equal([audio.get('Container', 'Image'), audio.get('Container', 'Pull'), audio.get('Service', 'OOMScoreAdjust')], ['localhost/audio:latest', 'never', '800'])
  assert.ok(plan.pipelines[0]!.stages.some((s) => s.type === 'org.osbuild.skopeo'))
})

Examples('06: realtime QM uses podman\'s configured default seccomp profile (empty SeccompProfile=)', async () => {
  assert.is(effectiveQm((await build('06-realtime.qm.yaml')).host).get('Container', 'SeccompProfile'), '')
})

Examples('07: the tarball OS is in place with QM\'s files on top', async () => {
  const { host, notes } = await build('07-local-tarball.qm.yaml')
  assert.is(entryAt(host, '/usr/lib/qm/rootfs/usr/sbin/init')!.target, '../lib/systemd/systemd')
  assert.is(entryAt(host, '/usr/share/factory/var/qm/lib/hello')!.mode.toString(8), '750')
  assert.is(effectiveQm(host).get('Service', 'MemoryMax'), '2G')
  assert.equal(notes, ['qm_rootfs: org.osbuild.untar taken from the seed'])
})

Examples('the AutoSD-style manifests import rendered fragments and splice the host stages', () => {
  for (const name of readdirSync('examples/autosd')) {
    const doc = parse(readFileSync(join('examples/autosd', name), 'utf8')) as { pipelines: Record<string, unknown>[] }
    const imports = doc.pipelines.filter((p) => p['mpp-import-pipelines']).map((p) => (p['mpp-import-pipelines'] as { path: string }).path)
    assert.ok(imports.length === 1, name)
    assert.ok(rendered.has(imports[0]!.replace('../../manifests/', '')), `${name} imports ${imports[0]}`)
    assert.match(JSON.stringify(doc), '{"mpp-eval":"qm_host_stages"}', name)
    assert.match(JSON.stringify(doc), '{"mpp-eval":"qm_host_first_stages"}', name)
  }
})

Examples('examples are listed in examples/README.md', () => {
  const readme = readFileSync('examples/README.md', 'utf8')
  for (const name of [...exampleConfigs(), ...readdirSync('examples/autosd')]) assert.ok(readme.includes(name), name)
})

Examples.run()
