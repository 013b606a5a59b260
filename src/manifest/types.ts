/** The parts of an osbuild v2 manifest that qm-stage emits (schemas in osbuild's schemas/osbuild2.json). */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

export interface Input {
  type: string
  origin: 'org.osbuild.source' | 'org.osbuild.pipeline'
  references: string[] | Record<string, Record<string, Json>>
  /** osbuild-mpp directives (`mpp-depsolve`, `mpp-resolve-images`, `mpp-embed`) live next to the input keys. */
  [mpp: `mpp-${string}`]: Json
}

export interface Stage {
  type: string
  options?: Record<string, Json>
  inputs?: Record<string, Input>
}

export interface Pipeline {
  name: string
  build?: string
  stages: Stage[]
}

/** `sources` of a manifest: source type -> { items: { checksum or id -> item } }. */
export type Sources = Record<string, { items: Record<string, Json> }>

/** What a stage generator returns: stages for one pipeline plus the sources they reference. */
export interface Fragment {
  stages: Stage[]
  sources: Sources
}

export interface Manifest {
  version: '2'
  pipelines: Pipeline[]
  sources: Sources
}
