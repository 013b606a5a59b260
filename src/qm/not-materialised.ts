// `qm-stage tree` without a seed cannot run the stages that need packages, archives or registries (rpm, untar,
// skopeo, a pipeline of another manifest): the QM rootfs it writes is a placeholder. It says so in a marker
// file inside that placeholder, and `inspect` reads it to tell what was not materialised from what is wrong.
//
//   # qm-stage tree wrote this tree without --seed: what these stages make is not in it
//   qm_rootfs org.osbuild.rpm
//   qm_rootfs org.osbuild.skopeo store=/usr/lib/containers/storage image=localhost/audio:latest
//
// One stage a line: its pipeline and type, then `store=` (the image store a skopeo stage writes, in the
// pipeline's tree) and `image=` (each image it would embed). Names hold no blanks (pipeline names, stage types,
// image references), so a line is split on blanks.
import { QM } from './paths.ts'

export const NOT_MATERIALISED_MARKER = `${QM.rootfs}/.qm-stage-not-materialised`

export interface Unmaterialised {
  pipeline: string
  /** the stage type, e.g. org.osbuild.rpm */
  stage: string
  /** org.osbuild.skopeo into containers-storage: the store path in the pipeline's tree */
  store?: string
  /** org.osbuild.skopeo: the names of the images it would embed */
  images: string[]
}

const HEAD = '# qm-stage tree wrote this tree without --seed: what these stages make is not in it\n'

export function formatMarker(stages: readonly Unmaterialised[]): string {
  const line = (s: Unmaterialised) => [s.pipeline, s.stage, ...(s.store ? [`store=${s.store}`] : []), ...s.images.map((i) => `image=${i}`)].join(' ')
  return HEAD + stages.map((s) => `${line(s)}\n`).join('')
}

/** The stages a marker lists; lines that are not `PIPELINE STAGE [key=value ...]` are passed over. */
export function parseMarker(text: string): Unmaterialised[] {
  const out: Unmaterialised[] = []
  for (const line of text.split('\n')) {
    const [pipeline, stage, ...rest] = line.trim().split(/\s+/)
    if (!pipeline || !stage || pipeline.startsWith('#')) continue
    const s: Unmaterialised = { pipeline, stage, images: [] }
    for (const word of rest) {
      if (word.startsWith('store=')) s.store = word.slice('store='.length)
      else if (word.startsWith('image=')) s.images.push(word.slice('image='.length))
    }
    out.push(s)
  }
  return out
}

/** What a skipped stage would have made, read from its options and inputs as osbuild would. */
export function unmaterialised(pipeline: string, stage: { type: string; options?: unknown; inputs?: unknown }): Unmaterialised {
  const out: Unmaterialised = { pipeline, stage: stage.type, images: [] }
  if (stage.type !== 'org.osbuild.skopeo') return out
  const destination = (stage.options as { destination?: { type?: string; 'storage-path'?: string } } | undefined)?.destination
  if (destination?.type === 'containers-storage') out.store = destination['storage-path'] ?? '/var/lib/containers/storage'
  const inputs = (stage.inputs ?? {}) as Record<string, { references?: unknown; 'mpp-resolve-images'?: { images?: unknown } }>
  for (const input of Object.values(inputs)) {
    const refs = input?.references
    // osbuild's references ({ id: { name } }), or the images osbuild-mpp resolves into them
    const resolved = input?.['mpp-resolve-images']?.images
    const items = [...(Array.isArray(refs) ? refs : Object.values((refs ?? {}) as Record<string, unknown>)), ...(Array.isArray(resolved) ? resolved : [])]
    for (const ref of items) {
      const name = (ref as { name?: unknown } | undefined)?.name
      if (typeof name === 'string' && !/\s/.test(name)) out.images.push(name)
    }
  }
  return out
}
