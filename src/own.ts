// Tables looked up by names that come from input: a unit file's keys, a config's, a TOML file's, the command line.
// `table[name]` finds Object.prototype's members for names such as constructor, toString or __proto__, and
// `table[name] = value` with __proto__ replaces the prototype; these two only ever touch the table's own names.

/** What `table` holds under `name` itself, or undefined. */
export const own = <T>(table: Readonly<Record<string, T>>, name: string): T | undefined => (Object.hasOwn(table, name) ? table[name] : undefined)

/** Sets `table[name]` as an own property, __proto__ too; a name it already has keeps its place. */
export function setOwn<T, V extends T>(table: Record<string, T>, name: string, value: V): V {
  Object.defineProperty(table, name, { value, writable: true, enumerable: true, configurable: true })
  return value
}
