// automotive-image-builder's manifest schema (draft-07, in YAML), found like osbuild's schemas:
// QM_AIB_SCHEMA when set, then the workspace copy ../shared/aib/. It is not part of qm-stage:
// without it the suites that need it are skipped, with one line saying so.
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Ajv, type ValidateFunction } from 'ajv'
import { parse } from 'yaml'
import { suiteIf } from './osbuild-schemas.ts'

const candidates = [...(process.env.QM_AIB_SCHEMA ? [resolve(process.env.QM_AIB_SCHEMA)] : []), join(process.cwd(), '..', 'shared', 'aib', 'manifest_schema.yml')]
export const AIB_SCHEMA = candidates.find((p) => existsSync(p))
if (!AIB_SCHEMA) console.log(`automotive-image-builder schema suites skipped: no manifest_schema.yml in ${candidates.join(', ')} (set QM_AIB_SCHEMA)`)

const schema = AIB_SCHEMA ? (parse(readFileSync(AIB_SCHEMA, 'utf8')) as Record<string, any>) : undefined
let compiled: ValidateFunction | undefined

/** A uvu suite whose tests are skipped when AIB's schema is not there. */
export const aibSchemaSuite = (name: string) => suiteIf(name, schema !== undefined)

/** Schema errors of `manifest` as lines ([] when valid); only inside aibSchemaSuite. */
export function aibErrors(manifest: unknown): string[] {
  if (!schema) throw new Error('an AIB schema check outside aibSchemaSuite()')
  // AIB validates with jsonschema's Draft7Validator; its $schema URL is not one ajv knows by that name
  const { $schema: _, ...draft7 } = schema
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(draft7)
  if (compiled(manifest)) return []
  return (compiled.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message} ${JSON.stringify(e.params)}`)
}

/** The keys AIB's schema allows under qm:, qm.content and a container image. */
export function aibQmKeys(): { qm: string[]; content: string[]; image: string[] } {
  if (!schema) throw new Error('an AIB schema check outside aibSchemaSuite()')
  const keys = (def: string) => Object.keys(schema.$defs[def].properties)
  return { qm: keys('qm'), content: keys('partition'), image: keys('container_image') }
}
