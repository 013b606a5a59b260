// Validation against osbuild's own schemas (../shared/osbuild-schemas, draft-04), wrapped the way
// osbuild's meta.py does it, plus the load-time checks osbuild --inspect makes.
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import ajvDraft04 from 'ajv-draft-04'
import type { ValidateFunction } from 'ajv'
import type { Json, Manifest, Stage } from '../../src/manifest/types.ts'

export const SCHEMA_DIR = resolve(process.env.QM_OSBUILD_SCHEMAS ?? join(process.cwd(), '..', 'shared', 'osbuild-schemas'))
if (!existsSync(join(SCHEMA_DIR, 'schemas', 'osbuild2.json'))) {
  throw new Error(`osbuild schemas not found in ${SCHEMA_DIR}: set QM_OSBUILD_SCHEMAS`)
}

const Ajv04 = ajvDraft04 as unknown as typeof ajvDraft04.default
const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false })
const cache = new Map<string, ValidateFunction>()

const meta = (kind: string, type: string) => JSON.parse(readFileSync(join(SCHEMA_DIR, kind, `${type}.meta.json`), 'utf8'))

function compiled(key: string, make: () => object): ValidateFunction {
  let v = cache.get(key)
  if (!v) cache.set(key, (v = ajv.compile(make())))
  return v
}

/** osbuild's ModuleInfo.get_schema for a stage: v1 fallback, definitions hoisted, type pinned. */
function stageSchema(type: string): object {
  const { schema, schema_2 } = meta('stages', type)
  const { definitions, ...props } = structuredClone(schema_2 ?? { options: schema ?? {} })
  const defs = definitions ?? props.options?.definitions
  if (props.options) delete props.options.definitions
  return {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    ...(defs ? { definitions: defs } : {}),
    properties: { type: { enum: [type] }, devices: { type: 'object' }, mounts: { type: 'array' }, ...props },
  }
}

/** Inputs and sources: the meta's schema_2 (or v1 schema) over a closed object, definitions hoisted. */
function moduleSchema(kind: string, type: string): object {
  const m = meta(kind, type)
  const body = structuredClone(m.schema_2 ?? m.schema ?? {})
  const defs = body.properties?.definitions
  if (defs) delete body.properties.definitions
  return { type: 'object', additionalProperties: false, ...body, ...(defs ? { definitions: defs } : {}) }
}

const errorsOf = (v: ValidateFunction, at: string) => (v.errors ?? []).map((e) => `${at}${e.instancePath}: ${e.message}`)

export function validateStage(stage: Stage, at = ''): string[] {
  const out: string[] = []
  const path = join(SCHEMA_DIR, 'stages', `${stage.type}.meta.json`)
  if (!existsSync(path)) return [`${at}: unknown stage type ${stage.type}`]
  const v = compiled(`stage:${stage.type}`, () => stageSchema(stage.type))
  if (!v(stage)) out.push(...errorsOf(v, at))
  for (const [name, input] of Object.entries(stage.inputs ?? {})) {
    if (!/^[a-zA-Z][a-zA-Z0-9_\-.]{0,254}$/.test(name)) out.push(`${at}/inputs/${name}: bad input name`)
    const iv = compiled(`input:${input.type}`, () => moduleSchema('inputs', input.type))
    if (!iv(input)) out.push(...errorsOf(iv, `${at}/inputs/${name}`))
  }
  return out
}

/** Schema errors and load-time errors (unknown name:/source references) of a manifest. */
export function validateManifest(manifest: Manifest): string[] {
  const out: string[] = []
  const top = compiled('osbuild2', () => JSON.parse(readFileSync(join(SCHEMA_DIR, 'schemas', 'osbuild2.json'), 'utf8')))
  if (!top(manifest)) out.push(...errorsOf(top, ''))
  for (const [type, source] of Object.entries(manifest.sources ?? {})) {
    const sv = compiled(`source:${type}`, () => moduleSchema('sources', type))
    if (!sv(source)) out.push(...errorsOf(sv, `/sources/${type}`))
  }
  const known = new Set(Object.values(manifest.sources ?? {}).flatMap((s) => Object.keys(s.items)))
  const names: string[] = []
  manifest.pipelines.forEach((p, i) => {
    if (names.includes(p.name)) out.push(`/pipelines/${i}: duplicate name ${p.name}`)
    if (p.build && !names.includes(p.build.replace(/^name:/, ''))) out.push(`/pipelines/${i}/build: unknown ${p.build}`)
    p.stages.forEach((s, j) => {
      const at = `/pipelines/${i}/stages/${j}`
      out.push(...validateStage(s, at))
      for (const [name, input] of Object.entries(s.inputs ?? {})) {
        const refs = Array.isArray(input.references) ? input.references : Object.keys(input.references)
        for (const ref of refs) {
          if (input.origin === 'org.osbuild.pipeline' && !names.includes(ref.replace(/^name:/, ''))) out.push(`${at}/inputs/${name}: unknown pipeline ${ref}`)
          if (input.origin === 'org.osbuild.source' && !known.has(ref)) out.push(`${at}/inputs/${name}: unknown source ${ref}`)
        }
      }
    })
    names.push(p.name)
  })
  return out
}

/** What osbuild-mpp puts into an input's references when it resolves a directive there. */
const RESOLVED: Record<string, Record<string, Json>> = {
  'mpp-depsolve': {},
  'mpp-embed': {},
  'mpp-resolve-images': { name: 'localhost/resolved:latest' },
}

/**
 * A stage as osbuild sees it after osbuild-mpp: directives dropped (a resolving one leaves
 * a reference of the shape it would add), format strings as their template text (which
 * keeps the shape osbuild's schema checks).
 */
export function withoutMpp<T extends Json | object>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => withoutMpp(v as Json)) as T
  if (value === null || typeof value !== 'object') return value
  const fmt = (value as Record<string, Json>)['mpp-format-string']
  if (typeof fmt === 'string') return fmt as T
  const out = Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !k.startsWith('mpp-'))
      .map(([k, v]) => [k, withoutMpp(v as Json)]),
  ) as Record<string, Json>
  for (const [directive, options] of Object.entries(RESOLVED)) {
    if (directive in value) out.references = { ...(out.references as object), [`sha256:${'0'.repeat(64)}`]: options }
  }
  return out as T
}
