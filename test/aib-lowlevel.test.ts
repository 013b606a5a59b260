// examples/aib/qm-lowlevel.mpp.yml in the shape automotive-image-builder needs: AIB puts its own
// stages in front of the rootfs pipeline's list (so that list must stay a plain list), finds
// imports in its --include directories, and runs image_extra_stages on the host tree.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { HOST_STAGES_VAR } from '../src/render/formats.ts'
import { render } from '../src/render/render.ts'

type Doc = { 'mpp-vars'?: Record<string, any>; pipelines: Record<string, any>[] }
const read = (path: string) => parse(readFileSync(path, 'utf8')) as Doc
const manifest = read('examples/aib/qm-lowlevel.mpp.yml')
const imports = manifest.pipelines.filter((p) => p['mpp-import-pipelines']).map((p) => p['mpp-import-pipelines'].path as string)
const found = (name: string) => ['manifests', 'examples/aib'].map((d) => join(d, name)).find((p) => existsSync(p))

const LowLevel = suite('AIB low-level manifest')

LowLevel('imports the rendered qm-stage include, then the glue, both found in the --include directories', () => {
  assert.equal(imports, ['09-aib-lowlevel.ipp.yml', 'qm-aib-host-stages.ipp.yml'])
  const include = read(found(imports[0]!)!)
  assert.ok(Array.isArray(include['mpp-vars']![HOST_STAGES_VAR]))
  assert.equal(include.pipelines.map((p) => p.name), ['qm_rootfs'])
  assert.is(include.pipelines[0]!.build, 'name:build')
})

LowLevel('the glue appends qm_host_stages to AIB\'s image_extra_stages, keeping AIB\'s own', () => {
  const glue = read(found(imports[1]!)!)
  assert.equal(glue['mpp-vars'], { image_extra_stages: { 'mpp-join': [{ 'mpp-eval': 'image_extra_stages' }, { 'mpp-eval': HOST_STAGES_VAR }] } })
  assert.equal(glue.pipelines, [])
})

LowLevel('rootfs is a plain list of stages with the qm rpm, and AIB gets no QM of its own', () => {
  const rootfs = manifest.pipelines.find((p) => p.name === 'rootfs')!
  assert.ok(Array.isArray(rootfs.stages))
  const packages = rootfs.stages[0].inputs.packages['mpp-depsolve'].packages['mpp-join']
  assert.ok(packages.some((l: unknown) => Array.isArray(l) && l.includes('qm')))
  assert.not.ok('use_qm' in (manifest['mpp-vars'] ?? {}))
})

LowLevel('the policy is AIB\'s selinux_policy: the example names none, and every policy name in the include reads the variable', () => {
  assert.not.ok('policy' in (parse(readFileSync('examples/09-aib-lowlevel.qm.yaml', 'utf8')) as Record<string, unknown>))
  const text = readFileSync(found(imports[0]!)!, 'utf8')
  const lines = text.split('\n').filter((l) => l.includes('selinux-policy-') || l.includes('/etc/selinux/'))
  assert.ok(lines.length >= 3, lines.join('\n'))
  for (const line of lines) assert.ok(line.includes("{globals().get('selinux_policy', 'targeted')}"), line)
})

LowLevel('the host\'s id ranges reach AIB\'s own /etc/subuid and /etc/subgid, which it writes after every stage', () => {
  const config = render(readFileSync('examples/09-aib-lowlevel.qm.yaml'), { file: 'examples/09-aib-lowlevel.qm.yaml' }).config!
  for (const v of ['extra_subuid', 'extra_subgid']) assert.equal(String(manifest['mpp-vars']![v]).split('\n'), config.subids.host, v)
})

LowLevel.run()
