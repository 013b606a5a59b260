// Every .container Quadlet file a generator finds under its search directories, with the drop-ins the chosen
// release applies, generated. Pure: the caller lists directories and reads files, so it works on a real
// tree, a memfs volume or a tar index alike, and in any namespace (the host's, or QM's).

import { dropinDirNames, dropinDirsIn, quadletFinder, quadletSearchDirs, QUADLET_UNIT_DIRS, type DropinDirs, type ListDir } from '../unit-dirs.ts'
import { generateService, type GeneratedService } from './service.ts'
import type { DropinRule, QuadletRules } from './versions.ts'
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
  list: ListDir
  /** a file's text, or undefined */
  read: (path: string) => string | undefined
  rules: QuadletRules
  roots?: readonly string[]
  deviceExists?: (path: string) => boolean
}

const join = (dir: string, name: string) => (dir.endsWith('/') ? dir + name : `${dir}/${name}`)
const base = (p: string) => p.slice(p.lastIndexOf('/') + 1)

/** The drop-ins NAME gets under `rule`, from directories listed in priority order (`dropinDirs`: their drop-in directories). */
export function quadletDropins(
  name: string,
  list: ListDir,
  rule: DropinRule,
  roots: readonly string[] = QUADLET_UNIT_DIRS,
  dropinDirs: DropinDirs = dropinDirsIn(list, quadletSearchDirs(list, roots)),
): QuadletDropins {
  const confs = (dir: string) => (list(dir) ?? []).filter((n) => n.endsWith('.conf') && list(join(dir, n)) === undefined).sort(byteOrder).map((n) => join(dir, n))
  const names = dropinDirNames(name) // most specific first
  const read = rule === 'none' ? [] : rule === 'unit' ? names.slice(0, 1) : names
  const everything = dropinDirs(names, 'specific-first').flatMap(confs)
  // the candidates in precedence order: the first file of each name wins
  const candidates = dropinDirs(read, rule === 'specific-first' ? 'specific-first' : 'root-first').flatMap(confs)
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
  const { rules } = input
  const roots = input.roots ?? QUADLET_UNIT_DIRS
  // each directory listed once, and the search directories found once: not once per unit (quadratic in units)
  const listed = new Map<string, ReturnType<ListDir>>()
  const list: ListDir = (dir) => {
    if (!listed.has(dir)) listed.set(dir, input.list(dir))
    return listed.get(dir)
  }
  const dirs = quadletSearchDirs(list, roots)
  const find = quadletFinder(list, roots, dirs)
  const dropinDirs = dropinDirsIn(list, dirs)
  const files = new Set<string>()
  for (const dir of dirs) for (const n of list(dir) ?? []) if (list(join(dir, n)) === undefined && /\.[a-z]+$/.test(n)) files.add(n)
  const units = new Set([...files].filter((n) => /\.(container|volume|network|image|build|pod|kube|artifact)$/.test(n)))
  return [...units]
    .filter((n) => n.endsWith('.container'))
    .sort(byteOrder)
    .map((name) => {
      const found = find(name)
      const dropins = quadletDropins(name, list, rules.dropins, roots, dropinDirs)
      const path = found.unit!
      const file = (p: string) => ({ path: p, text: input.read(p) ?? '' })
      const generated = generateService({
        name,
        path,
        files: [file(path), ...dropins.applied.map(file)],
        rules,
        units,
        ...(input.deviceExists ? { deviceExists: input.deviceExists } : {}),
      })
      return { ...generated, path, shadowed: found.shadowed, dropins }
    })
}
