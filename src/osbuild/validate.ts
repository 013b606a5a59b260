// Validation against an osbuild's own schemas (draft-04), wrapped the way osbuild's meta.py
// does it, plus the load-time checks osbuild --inspect makes. ajv is loaded only here, so
// only `render --check` and the tests pay for it.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import ajvDraft04 from 'ajv-draft-04'
import type { ErrorObject } from 'ajv'
import type { Json, Manifest, Stage } from '../manifest/types.ts'
import type { OsbuildSchemas } from './locate.ts'

/** One place where the output and the osbuild disagree. */
export interface Mismatch {
  /** JSON Pointer into the checked document */
  at: string
  /** the stage (or input, source) type the schema belongs to */
  module?: string
  /** the option the schema rejects, as a dotted path (`paths[0].exist_ok`) */
  option?: string
  message: string
}

export const mismatchText = (m: Mismatch) => `${m.at || '/'}: ${m.message}`

type Kind = 'stages' | 'inputs' | 'sources'
/** ajv's validate function without its type guard (which would narrow a failed stage to never) */
type ValidateFunction = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null }

const Ajv04 = ajvDraft04 as unknown as typeof ajvDraft04.default

/** A validator for one osbuild's schemas; each module's schema is compiled once. */
export function osbuildValidator(schemas: OsbuildSchemas) {
  const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false })
  const cache = new Map<string, ValidateFunction | undefined>()
  const metaPath = (kind: Kind, type: string) => join(schemas.root, kind, `${type}.meta.json`)

  function compiled(key: string, make: () => object | undefined): ValidateFunction | undefined {
    if (!cache.has(key)) {
      const schema = make()
      cache.set(key, schema && ajv.compile(schema))
    }
    return cache.get(key)
  }
  const meta = (kind: Kind, type: string) => {
    const path = metaPath(kind, type)
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>) : undefined
  }

  function errorsOf(v: ValidateFunction, at: string, module: string, optionsAt: string): Mismatch[] {
    return (v.errors ?? []).map((e) => describe(e, at, module, optionsAt))
  }

  function stage(s: Stage, at = ''): Mismatch[] {
    const v = compiled(`stage:${s.type}`, () => stageSchema(meta('stages', s.type), s.type))
    if (!v) return [{ at: `${at}/type`, module: s.type, message: `stage ${s.type} is not in this osbuild` }]
    const out = v(s) ? [] : errorsOf(v, at, s.type, '/options')
    for (const [name, input] of Object.entries(s.inputs ?? {})) {
      const where = `${at}/inputs/${name}`
      if (!/^[a-zA-Z][a-zA-Z0-9_\-.]{0,254}$/.test(name)) out.push({ at: where, module: s.type, message: `stage ${s.type}: bad input name ${name}` })
      const iv = compiled(`input:${input.type}`, () => moduleSchema(meta('inputs', input.type)))
      if (!iv) out.push({ at: `${where}/type`, module: input.type, message: `input ${input.type} is not in this osbuild` })
      else if (!iv(input)) out.push(...errorsOf(iv, where, input.type, '/options'))
    }
    return out
  }

  /** Schema errors and load-time errors (unknown name:/source references) of a manifest. */
  function manifest(m: Manifest): Mismatch[] {
    const out: Mismatch[] = []
    if (schemas.manifestSchema) {
      const top = compiled('osbuild2', () => JSON.parse(readFileSync(schemas.manifestSchema!, 'utf8')))!
      if (!top(m)) out.push(...(top.errors ?? []).map((e) => describe(e, '', 'osbuild2', '')))
    }
    for (const [type, source] of Object.entries(m.sources ?? {})) {
      const sv = compiled(`source:${type}`, () => moduleSchema(meta('sources', type)))
      if (!sv) out.push({ at: `/sources/${type}`, module: type, message: `source ${type} is not in this osbuild` })
      else if (!sv(source)) out.push(...errorsOf(sv, `/sources/${type}`, type, '/options'))
    }
    const known = new Set(Object.values(m.sources ?? {}).flatMap((s) => Object.keys(s.items)))
    const names: string[] = []
    m.pipelines.forEach((p, i) => {
      if (names.includes(p.name)) out.push({ at: `/pipelines/${i}`, message: `duplicate pipeline name ${p.name}` })
      if (p.build && !names.includes(p.build.replace(/^name:/, ''))) out.push({ at: `/pipelines/${i}/build`, message: `unknown build pipeline ${p.build}` })
      p.stages.forEach((s, j) => {
        const at = `/pipelines/${i}/stages/${j}`
        out.push(...stage(s, at))
        for (const [name, input] of Object.entries(s.inputs ?? {})) {
          const refs = Array.isArray(input.references) ? input.references : Object.keys(input.references)
          for (const ref of refs) {
            if (input.origin === 'org.osbuild.pipeline' && !names.includes(ref.replace(/^name:/, ''))) out.push({ at: `${at}/inputs/${name}`, message: `unknown pipeline ${ref}` })
            if (input.origin === 'org.osbuild.source' && !known.has(ref)) out.push({ at: `${at}/inputs/${name}`, message: `unknown source ${ref}` })
          }
        }
      })
      names.push(p.name)
    })
    return out
  }

  return { stage, manifest, schemas }
}

export type OsbuildValidator = ReturnType<typeof osbuildValidator>

/** osbuild's ModuleInfo.get_schema for a stage: v1 fallback, definitions hoisted, type pinned. */
function stageSchema(meta: Record<string, any> | undefined, type: string): object | undefined {
  if (!meta) return undefined
  const { definitions, ...props } = structuredClone(meta.schema_2 ?? { options: meta.schema ?? {} })
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
function moduleSchema(meta: Record<string, any> | undefined): object | undefined {
  if (!meta) return undefined
  const body = structuredClone(meta.schema_2 ?? meta.schema ?? {})
  const defs = body.properties?.definitions
  if (defs) delete body.properties.definitions
  return { type: 'object', additionalProperties: false, ...body, ...(defs ? { definitions: defs } : {}) }
}

/** `/options/paths/0` + `exist_ok` -> `paths[0].exist_ok` */
function optionPath(pointer: string, extra?: string): string | undefined {
  const parts = pointer.split('/').slice(1).concat(extra === undefined ? [] : [extra])
  if (parts.length === 0) return undefined
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : `${i === 0 ? '' : '.'}${p.replace(/~1/g, '/').replace(/~0/g, '~')}`)).join('')
}

function describe(e: ErrorObject, at: string, module: string, optionsAt: string): Mismatch {
  const inOptions = optionsAt !== '' && (e.instancePath === optionsAt || e.instancePath.startsWith(`${optionsAt}/`))
  const extra = e.keyword === 'additionalProperties' ? String(e.params.additionalProperty) : undefined
  const option = inOptions ? optionPath(e.instancePath.slice(optionsAt.length), extra) : undefined
  const pointer = `${at}${e.instancePath}${extra === undefined ? '' : `/${extra}`}`
  if (option !== undefined && extra !== undefined) return { at: pointer, module, option, message: `${module}: option ${option} is not in this osbuild's schema for the stage` }
  if (option !== undefined) return { at: pointer, module, option, message: `${module}: option ${option} ${e.message}` }
  return { at: pointer, module, message: `${module}: ${e.instancePath || '/'}${extra === undefined ? '' : `/${extra}`} ${e.message}` }
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
