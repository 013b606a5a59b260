import { HOST_PIPELINE } from '../render/formats.ts'
import type { Plan } from '../render/plan.ts'
import { executeManifest } from './execute.ts'
import type { Tree } from './vtree.ts'

/**
 * Run a render plan: the QM pipeline(s), then the host stages on an empty tree, as the
 * manifest format's qm_host pipeline. The host tree is exactly what QM adds to an image.
 */
export function runPlan(plan: Plan, seed?: Tree, options: { consumeSeed?: boolean } = {}): { host: Tree; trees: Map<string, Tree>; notes: string[] } {
  const pipelines = [...plan.pipelines, { name: HOST_PIPELINE, stages: plan.hostStages }]
  const { trees, notes } = executeManifest({ pipelines, sources: plan.sources }, seed ? { seed, ...options } : {})
  return { host: trees.get(HOST_PIPELINE)!, trees, notes }
}
