// The effective settings of a unit: the main file, then its drop-ins, applied in order (Quadlet appends each
// drop-in's lines to the same section of the unit and then looks keys up; systemd parses the drop-ins after
// the main file into the same settings). Each value keeps the file:line that set it.

import { conditionFamily, keyKind, type KeyKind } from './keys.ts'
import type { UnitFile, UnitIssue } from './parse.ts'
import { splitValue } from './split.ts'
import { packed } from '../packed.ts'

export interface Setting {
  value: string
  file: string
  line: number
}

export interface EffectiveScalar {
  section: string
  key: string
  kind: 'scalar'
  value: Setting
  /** Earlier assignments this one replaced, oldest first. */
  overridden: Setting[]
}

export interface EffectiveList {
  section: string
  key: string
  kind: Exclude<KeyKind, 'scalar'>
  /** The accumulated items after resets; a split assignment gives one item per word, all with its file:line. */
  items: Setting[]
  /** Items an empty assignment removed, oldest first. */
  cleared: Setting[]
  /** The last empty assignment that cleared the list (never set for deps, which an empty value cannot clear). */
  reset: Setting | undefined
}

export type EffectiveKey = EffectiveScalar | EffectiveList

export interface EffectiveUnit {
  /** Every key that was assigned, sections in order of first appearance, keys likewise within a section. */
  keys: EffectiveKey[]
  /** Files left out because their reader refuses them (UnitFile.rejected). */
  skipped: string[]
  /** Assignments whose value the reader drops (bad quoting or escapes), and empty dependency assignments. */
  issues: UnitIssue[]
  find(section: string, key: string): EffectiveKey | undefined
  /** The winning raw value of a scalar key; for a list key, its last item. */
  get(section: string, key: string): string | undefined
  /** The items of a list key; for a scalar key, its value as the only item. */
  list(section: string, key: string): string[]
}

export function mergeUnits(files: readonly UnitFile[]): EffectiveUnit {
  // Sections keep the order they first appear in (a Map's order), keys likewise within their section. By section,
  // then key: the names are looked up thousands of times over many units, and need no joined string to hash.
  const sections = new Map<string, Map<string, EffectiveKey>>()
  const issues: UnitIssue[] = []
  const skipped = files.filter((f) => f.rejected).map((f) => f.file)
  const find = (section: string, key: string) => sections.get(section)?.get(key)
  const remember = <K extends EffectiveKey>(k: K): K => {
    let keys = sections.get(k.section)
    if (!keys) sections.set(k.section, (keys = new Map()))
    keys.set(k.key, k)
    return k
  }

  // indexed loops: this runs for every unit of a tree, mostly before the optimizing compiler has it, and a for-of
  // loop allocates an iterator result per step until then
  for (let f = 0; f < files.length; f++) {
    const file = files[f]!
    if (file.rejected) continue
    for (let e = 0; e < file.entries.length; e++) {
      const { section, key, value, line } = file.entries[e]!
      const kind = keyKind(section, key)
      const here: Setting = { value, file: file.file, line }
      const known = find(section, key)
      if (kind === 'scalar') {
        if (known?.kind === 'scalar') {
          known.overridden.push(known.value)
          known.value = here
        } else remember({ section, key, kind, value: here, overridden: [] })
        continue
      }
      // A key's kind depends only on its section and name, so a known non-scalar key is a list.
      const k = (known as EffectiveList | undefined) ?? remember({ section, key, kind, items: [], cleared: [], reset: undefined })
      if (value === '') {
        if (k.kind === 'deps') {
          issues.push({ file: file.file, line, message: `empty ${key}= does not remove dependencies`, drops: 'line' })
        } else if (k.kind === 'condition') {
          const family = conditionFamily(key)
          for (const other of sections.get(section)!.values()) {
            if (other.kind === 'condition' && conditionFamily(other.key) === family) {
              other.cleared.push(...other.items)
              other.items = []
              other.reset = here
            }
          }
        } else {
          k.cleared.push(...k.items)
          k.items = []
          k.reset = here
        }
        continue
      }
      const whole = k.kind === 'list' || k.kind === 'condition'
      const words = whole ? [value] : splitValue(value, k.kind === 'args' ? 'args' : 'words')
      if (!words) {
        const message = `${key}= value cannot be split (unbalanced quote or bad escape); ignored`
        issues.push({ file: file.file, line, message, drops: 'line' })
        continue
      }
      for (let w = 0; w < words.length; w++) k.items.push({ value: words[w]!, file: file.file, line })
    }
  }

  const ordered: EffectiveKey[] = []
  sections.forEach((keys) => keys.forEach((k) => ordered.push(k)))
  return {
    keys: ordered,
    skipped,
    issues,
    find,
    get(section, key) {
      const k = find(section, key)
      if (!k) return undefined
      return k.kind === 'scalar' ? k.value.value : k.items.at(-1)?.value
    },
    list(section, key) {
      const k = find(section, key)
      if (!k) return []
      return k.kind === 'scalar' ? [k.value.value] : packed(k.items, (i) => i.value)
    },
  }
}
