/**
 * The types of a validated qm.yaml. They are generated from qm.schema.json (see
 * scripts/gen-config-types.ts), so a key is added to the schema and nowhere else.
 */
export type * from './types.generated.ts'
