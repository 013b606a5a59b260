// Every .container Quadlet file a generator finds under its search directories, with the drop-ins the chosen
// release applies, generated. Pure: the caller lists directories and reads files, so it works on a real
// tree, a memfs volume or a tar index alike, and in any namespace (the host's, or QM's).

import { dropinDirNames, type QuadletDirs } from '../unit-dirs.ts'
import { generateService, type GeneratedService } from './service.ts'
import type { DropinRule, QuadletRules } from './versions.ts'
import type { UnitFile } from '../parse.ts'
import { byteOrder } from '../../byte-order.ts'

export interface QuadletDropins {
  /** the drop-ins the release applies, in order */
  applied: string[]
  /** drop-ins the release does not read at all (4.x: every one; 5.0, 5.1: container.d/ and the dash-prefix dirs) */
  ignored: string[]
  /** drop-ins hidden by a same-named one that takes precedence in this release */
  overridden: string[]
}

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
  rules: QuadletRules
  deviceExists?: (path: string) => boolean
}

const join = (dir: string, name: string) => (dir.endsWith('/') ? dir + name : `${dir}/${name}`)
const base = (p: string) => p.slice(p.lastIndexOf('/') + 1)

/** The drop-ins NAME gets under `rule` in the search directories `quadlets`. */
export function quadletDropins(name: string, quadlets: QuadletDirs, rule: DropinRule): QuadletDropins {
  const confs = (dir: string) => [...quadlets.files(dir)].filter((n) => n.endsWith('.conf')).sort(byteOrder).map((n) => join(dir, n))
  const names = dropinDirNames(name) // most specific first
  const read = rule === 'none' ? [] : rule === 'unit' ? names.slice(0, 1) : names
  const everything = quadlets.dropinDirs(names, 'specific-first').flatMap(confs)
  // the candidates in precedence order: the first file of each name wins
  const candidates = rule === 'specific-first' ? everything : quadlets.dropinDirs(read, 'root-first').flatMap(confs)
  const chosen = new Map<string, string>()
  const overridden: string[] = []
  for (const path of candidates) {
    if (chosen.has(base(path))) overridden.push(path)
    else chosen.set(base(path), path)
  }
  const seen = new Set(candidates)
  return {
    applied: [...chosen.keys()].sort(byteOrder).map((n) => chosen.get(n)!),
    ignored: everything.filter((p) => !seen.has(p)),
    overridden,
  }
}

/** Every .container file the generator finds, generated; sorted by file name. Other Quadlet types are not generated. */
export function generateTree(input: TreeInput): TreeUnit[] {
  const { rules, quadlets } = input
  const files = new Set<string>()
  for (const dir of quadlets.dirs) for (const n of quadlets.files(dir)) if (/\.[a-z]+$/.test(n)) files.add(n)
  const units = new Set([...files].filter((n) => /\.(container|volume|network|image|build|pod|kube|artifact)$/.test(n)))
  return [...units]
    .filter((n) => n.endsWith('.container'))
    .sort(byteOrder)
    .map((name): TreeUnit => {
      const [path, ...shadowed] = quadlets.copies(name) as [string, ...string[]]
      const dropins = quadletDropins(name, quadlets, rules.dropins)
      const file = (p: string) => ({ path: p, text: input.read(p) ?? '', ...(input.parse ? { unit: input.parse(p) } : {}) })
      const generated = generateService({
        name,
        path,
        files: [file(path), ...dropins.applied.map(file)],
        rules,
        units,
        ...(input.deviceExists ? { deviceExists: input.deviceExists } : {}),
      })
      return Object.assign(generated, { path, shadowed, dropins })
    })
}
