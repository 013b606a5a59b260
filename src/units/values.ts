/** A unit-file value as a config may give it: a word, a number or a flag. */
export type UnitValue = string | number | boolean
/** Raw keys of one unit-file section: `Key: value`, or `Key: [values]` for a repeated key. */
export type UnitKeys = Readonly<Record<string, UnitValue | readonly UnitValue[]>>

/** Raw `Key: value | [values]` config maps as unit-file entries, in the order given. */
export function rawEntries(keys: UnitKeys): [string, string][] {
  return Object.entries(keys).flatMap(([key, value]) =>
    (Array.isArray(value) ? value : [value]).map((v): [string, string] => [key, unitValue(v)]),
  )
}

const unitValue = (v: UnitValue): string => (typeof v === 'string' ? v : String(v))
