import type { UnitKeys, UnitValue } from '../config/types.ts'

/** Raw `Key: value | [values]` config maps as unit-file entries, in the order given. */
export function rawEntries(keys: UnitKeys): [string, string][] {
  return Object.entries(keys).flatMap(([key, value]) =>
    (Array.isArray(value) ? value : [value]).map((v): [string, string] => [key, unitValue(v)]),
  )
}

const unitValue = (v: UnitValue): string => (typeof v === 'string' ? v : String(v))
