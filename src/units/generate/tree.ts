// Every .container Quadlet file a generator finds under its search directories, with the drop-ins the chosen
// release applies, generated. Pure: the caller lists directories and reads files, so it works on a real
// tree, a memfs volume or a tar index alike, and in any namespace (the host's, or QM's).

import type { QuadletDirs, QuadletDropins } from '../unit-dirs.ts'
import { generateService, type GeneratedService } from './service.ts'
import type { QuadletRules } from './versions.ts'
import type { EffectiveUnit } from '../merge.ts'
import type { UnitFile } from '../parse.ts'
import { byteOrder } from '../../byte-order.ts'
import { packed } from '../../packed.ts'

export interface TreeUnit extends GeneratedService {
  /** the copy the generator loads */
  path: string
  /** other copies of the name, in lower-priority directories */
  shadowed: string[]
  dropins: QuadletDropins
}

export interface TreeInput {
  /** the generator's search directories in the tree: `quadletDirs(list)`, or one a caller shares with other models */
  quadlets: QuadletDirs
  /** a file's text, or undefined */
  read: (path: string) => string | undefined
  /** a file as parseUnit reads it (Quadlet's reader, named by `path`), when the caller has read it already */
  parse?: (path: string) => UnitFile
  /** the files at `paths` (a unit, then its drop-ins) merged, when the caller keeps them merged for other models */
  merge?: (paths: readonly string[]) => EffectiveUnit
  rules: QuadletRules
  deviceExists?: (path: string) => boolean
}

/** Every .container file the generator finds, generated; sorted by file name. Other Quadlet types are not generated. */
export function generateTree(input: TreeInput): TreeUnit[] {
  const { rules, quadlets } = input
  const units = new Set<string>()
  for (const dir of quadlets.dirs) for (const n of quadlets.files(dir)) if (/\.(container|volume|network|image|build|pod|kube|artifact)$/.test(n)) units.add(n)
  return [...units]
    .filter((n) => n.endsWith('.container'))
    .sort(byteOrder)
    .map((name): TreeUnit => {
      const [path, ...shadowed] = quadlets.copies(name) as [string, ...string[]]
      const dropins = quadlets.dropins(name, rules.dropins)
      const file = (p: string) => ({ path: p, text: input.read(p) ?? '', ...(input.parse ? { unit: input.parse(p) } : {}) })
      const paths = [path, ...dropins.applied]
      const generated = generateService({
        name,
        path,
        files: packed(paths, file),
        ...(input.merge ? { effective: input.merge(paths) } : {}),
        rules,
        units,
        ...(input.deviceExists ? { deviceExists: input.deviceExists } : {}),
      })
      return Object.assign(generated, { path, shadowed, dropins })
    })
}
