import { QmError } from '../errors.ts'
import { unmaterialised, type Unmaterialised } from '../qm/not-materialised.ts'
import type { Json, Pipeline, Sources, Stage } from '../manifest/types.ts'
import { inputPipelines, materialise } from './inputs.ts'
import { runItem, type StageFn, type StageRun } from './run.ts'
import { chmod } from './ops/chmod.ts'
import { chown } from './ops/chown.ts'
import { copy } from './ops/copy.ts'
import { ln } from './ops/ln.ts'
import { mkdir } from './ops/mkdir.ts'
import { selinux } from './ops/selinux.ts'
import { storageConf } from './ops/storage-conf.ts'
import { systemd } from './ops/systemd.ts'
import { emptyTree, overlayTree, type Tree } from './vtree.ts'

/** Stages emulated on the virtual tree. */
const STAGES: Record<string, StageFn> = {
  'org.osbuild.mkdir': mkdir,
  'org.osbuild.copy': copy,
  'org.osbuild.chmod': chmod,
  'org.osbuild.chown': chown,
  'org.osbuild.ln': ln,
  'org.osbuild.systemd': systemd,
  'org.osbuild.containers.storage.conf': storageConf,
  'org.osbuild.selinux': selinux,
}

/** Stages whose result needs packages, archives or registries: they come from the seed or are left out. */
const UNMATERIALISED = new Set(['org.osbuild.rpm', 'org.osbuild.untar', 'org.osbuild.skopeo'])

export interface ExecuteOptions {
  /** The QM's OS tree, standing in for what rpm/untar/skopeo or a foreign pipeline would produce. */
  seed?: Tree
  /**
   * The seed is not used after this run: the first pipeline it lands in unchanged (nothing ran before)
   * takes the seed tree itself instead of a copy. A seeded tree has tens of thousands of entries.
   */
  consumeSeed?: boolean
}

export interface ExecuteResult {
  /** Every pipeline's finished tree, by pipeline name. */
  trees: Map<string, Tree>
  /** What was not materialised or was taken from the seed, and steps skipped because of it. */
  notes: string[]
  /** The stages skipped for want of a seed, in order. */
  unmaterialised: Unmaterialised[]
}

/**
 * Run a manifest's pipelines in order, each on a fresh empty tree, as osbuild would.
 * A stage that would fail in osbuild throws QmError TREE_EXEC `<pipeline> stage <n> <type>: ...`
 * (n counts from 0, as in the manifest's stages array).
 */
export function executeManifest(manifest: { pipelines: Pipeline[]; sources: Sources }, options: ExecuteOptions = {}): ExecuteResult {
  const trees = new Map<string, Tree>()
  const partial = new Set<string>()
  const notes: string[] = []
  const skipped: Unmaterialised[] = []
  const names = new Set<string>()
  for (const pipeline of manifest.pipelines) {
    if (names.has(pipeline.name)) throw new QmError('TREE_EXEC', `${pipeline.name}: pipeline name used twice`)
    names.add(pipeline.name)
  }
  let seedFree = options.consumeSeed === true
  for (const pipeline of manifest.pipelines) {
    let tree = emptyTree()
    let seeded = false
    let pristine = true
    pipeline.stages.forEach((original, index) => {
      let stage = original
      const where = `${pipeline.name} stage ${index} ${stage.type}`
      try {
        const foreign = inputPipelines(stage.inputs).find((p) => !names.has(p))
        if (UNMATERIALISED.has(stage.type) || foreign !== undefined) {
          const what = foreign === undefined ? stage.type : `${stage.type} from pipeline ${foreign}`
          if (!options.seed) {
            partial.add(pipeline.name)
            notes.push(`${pipeline.name}: ${what} not materialised (give --seed)`)
            skipped.push(unmaterialised(pipeline.name, stage))
          } else if (!seeded) {
            if (pristine && seedFree) {
              // Overlaying onto an empty tree gives the seed itself.
              tree = options.seed
              seedFree = false
            } else overlayTree(tree, options.seed)
            seeded = true
            pristine = false
            notes.push(`${pipeline.name}: ${what} taken from the seed`)
          } else {
            notes.push(`${pipeline.name}: ${what} covered by the seed`)
          }
          return
        }
        const fn = STAGES[stage.type]
        if (!fn) throw new Error('this stage type is not emulated')
        pristine = false
        const embeds = urlEmbeds(stage)
        if (embeds.urls.length > 0) {
          partial.add(pipeline.name)
          for (const url of embeds.urls) notes.push(`${pipeline.name}: ${stage.type} of ${url} not materialised (osbuild-mpp fetches it)`)
          stage = embeds.stage
        }
        rejectMpp(stage)
        const extra = stage as { mounts?: unknown; devices?: unknown }
        if (extra.mounts !== undefined || extra.devices !== undefined) throw new Error('mounts and devices are not emulated')
        // Reading a partial pipeline makes this one partial too.
        for (const p of inputPipelines(stage.inputs)) if (partial.has(p)) partial.add(pipeline.name)
        const { views, unavailable } = materialise(stage.inputs, manifest.sources, trees, partial)
        for (const message of unavailable) {
          partial.add(pipeline.name)
          notes.push(`${pipeline.name}: ${stage.type} input ${message}`)
        }
        const run: StageRun = {
          pipeline: pipeline.name,
          tree,
          inputs: views,
          partial: partial.has(pipeline.name),
          note: (message) => notes.push(message),
          item: (what, body) => runItem(run, what, body),
        }
        fn(stage.options ?? {}, run)
      } catch (e) {
        if (e instanceof QmError) throw e
        throw new QmError('TREE_EXEC', `${where}: ${e instanceof Error ? e.message : String(e)}`)
      }
    })
    // Finished: later pipelines' copies of it may read it where it is.
    tree.finished = true
    trees.set(pipeline.name, tree)
  }
  return { trees, notes, unmaterialised: skipped }
}

/**
 * A copy of files osbuild-mpp would download (mpp-embed with a url) cannot be made
 * offline: the stage without those inputs and items, and the urls left out.
 */
function urlEmbeds(stage: Stage): { stage: Stage; urls: string[] } {
  const embedded = Object.entries(stage.inputs ?? {}).filter(([, input]) => input['mpp-embed'] !== undefined)
  if (embedded.length === 0) return { stage, urls: [] }
  const names = new Set(embedded.map(([name]) => name))
  const inputs = Object.fromEntries(Object.entries(stage.inputs!).filter(([name]) => !names.has(name)))
  const fromEmbed = (from: unknown) => typeof from === 'object' && from !== null && 'mpp-format-string' in from
  const paths = ((stage.options?.paths ?? []) as { from?: unknown }[]).filter((p) => !fromEmbed(p.from))
  const urls = embedded.map(([, input]) => String((input['mpp-embed'] as { url?: string }).url))
  return { stage: { ...stage, inputs, options: { ...stage.options, paths: paths as Json } }, urls }
}

/** osbuild-mpp directives left in an emulated stage mean the manifest was not pre-processed. */
function rejectMpp(stage: Stage): void {
  const find = (value: unknown): string | undefined => {
    if (Array.isArray(value)) return value.map(find).find((k) => k !== undefined)
    if (typeof value !== 'object' || value === null) return undefined
    for (const [key, inner] of Object.entries(value)) {
      if (key.startsWith('mpp-')) return key
      const found = find(inner)
      if (found) return found
    }
    return undefined
  }
  const key = find({ options: stage.options, inputs: stage.inputs })
  if (key) throw new Error(`${key} is an osbuild-mpp directive; run osbuild-mpp first`)
}
