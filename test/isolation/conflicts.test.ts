// Issue 9 E: configs that contradict themselves are refused at the key that makes the contradiction:
// a pipeline built in or from itself, a unit enabled and masked, a unit name that is already taken.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { render } from '../../src/render/render.ts'

const codes = (text: string, format: 'mpp' | 'manifest' | 'stages' = 'mpp') =>
  render(Buffer.from(text), { file: 'qm.yaml', format }).errors.map((e) => `${e.code} ${e.pointer}`)

const Pipelines = suite('conflicts: pipelines')

Pipelines('the QM pipeline cannot be its own build root, nor copy its own tree', () => {
  assert.equal(codes('build_pipeline: qm_rootfs\n'), ['CONFLICT /build_pipeline'])
  assert.equal(codes('pipeline: qm\nrootfs: { pipeline: qm }\n'), ['CONFLICT /rootfs/pipeline'])
  // another pipeline is the importing manifest's business
  assert.equal(codes('build_pipeline: build\nrootfs: { pipeline: build }\n'), [])
})

Pipelines('manifest format: the QM pipeline cannot take the host overlay pipeline\'s name', () => {
  const tarball = 'rootfs: { tarball: { source_path: examples/rootfs/tiny-rootfs.tar } }\n'
  assert.equal(codes(`pipeline: qm_host\n${tarball}`, 'manifest'), ['CONFLICT /pipeline'])
  assert.equal(codes(`pipeline: qm_host\n${tarball}`, 'stages'), [])
})

Pipelines.run()
