// Which files make up a rootful Quadlet unit, found the way podman's generator finds them
// (podman main c6580b4a5219, 2026-05: pkg/systemd/quadlet/unitdirs.go, cmd/quadlet/main.go,
// pkg/systemd/parser/unitfile.go GetUnitDropinPaths). Pure: the caller lists directories, so it works on a
// real tree, a memfs volume or a tar index alike.

import { byteOrder } from '../byte-order.ts'
import { packed } from '../packed.ts'
import type { DropinRule } from './generate/versions.ts'

/** Rootful Quadlet search roots, highest priority first. There is no /usr/lib/containers/systemd. */
export const QUADLET_UNIT_DIRS = ['/run/containers/systemd', '/etc/containers/systemd', '/usr/share/containers/systemd'] as const

/** The entry names in `dir`, or undefined when `dir` is not a directory. Symlinks should be followed. */
export type ListDir = (dir: string) => readonly string[] | undefined

export interface QuadletFiles {
  /** The copy Quadlet loads, or undefined. */
  unit: string | undefined
  /** Other copies with the same name, in lower-priority directories. */
  shadowed: string[]
  /** Drop-ins applied, in the order they apply (byte order of file name). */
  dropins: string[]
  /** Drop-ins hidden by a file of the same name that takes precedence. */
  overridden: string[]
}

const join = (dir: string, name: string) => (dir.endsWith('/') ? dir + name : `${dir}/${name}`)

/**
 * Every directory Quadlet reads, in priority order: each root, then its subdirectories depth first in name
 * order, skipping names ending in ".d" and, below /etc/containers/systemd, the users/ tree (rootless units).
 */
export function quadletSearchDirs(list: ListDir, roots: readonly string[] = QUADLET_UNIT_DIRS): string[] {
  const dirs: string[] = []
  const seen = new Set<string>()
  const walk = (dir: string) => {
    if (seen.has(dir)) return
    seen.add(dir)
    dirs.push(dir)
    for (const name of [...(list(dir) ?? [])].sort(byteOrder)) {
      const path = join(dir, name)
      // Quadlet's filter is a plain prefix test, so /etc/containers/systemd/users* is skipped.
      if (name.endsWith('.d') || path.startsWith('/etc/containers/systemd/users')) continue
      if (list(path) !== undefined) walk(path)
    }
  }
  for (const root of roots) walk(root)
  return dirs
}

/**
 * Drop-in directory names for a unit, most specific first: `foo-bar@i.container` gives foo-bar@i.container.d,
 * foo-bar@.container.d, foo-@.container.d, foo-.container.d, container.d. A same-named drop-in in a more specific
 * directory wins over one in a broader directory, whatever the search root (podman >= 5.6).
 */
export function dropinDirNames(unitName: string): string[] {
  const dot = unitName.lastIndexOf('.')
  const ext = dot === -1 ? '' : unitName.slice(dot)
  const base = dot === -1 ? unitName : unitName.slice(0, dot)
  const at = base.indexOf('@')
  const prefix = at === -1 ? base : base.slice(0, at)
  const instance = at === -1 ? '' : base.slice(at + 1)
  const names = [ext.slice(1) + '.d']
  const parts = prefix.split('-')
  for (let i = 1; i < parts.length; i++) {
    const truncated = `${parts.slice(0, i).join('-')}-`
    names.push(`${truncated}${ext}.d`)
    if (at !== -1) names.push(`${truncated}@${ext}.d`)
  }
  if (instance !== '') names.push(`${prefix}@${ext}.d`)
  names.push(`${unitName}.d`)
  return names.reverse()
}

/**
 * The drop-in directories named `names` (most specific first) under some of the search directories, in the order
 * they are read: `specific-first`, every directory of the first name, then of the next; `root-first`, by search
 * directory, then by name.
 */
export type DropinDirs = (names: readonly string[], order: 'specific-first' | 'root-first') => string[]

/**
 * The drop-in directories (entries named *.d that are directories) of `dirs`, listed in priority order. Found once
 * per tree: a unit then looks up only the few of its drop-in directory names that exist.
 */
export function dropinDirsIn(list: ListDir, dirs: readonly string[]): DropinDirs {
  const found = new Map<string, { rank: number; path: string }[]>()
  dirs.forEach((dir, rank) => {
    for (const name of list(dir) ?? []) {
      if (!name.endsWith('.d')) continue
      const path = join(dir, name)
      if (list(path) === undefined) continue
      const at = found.get(name)
      if (at) at.push({ rank, path })
      else found.set(name, [{ rank, path }])
    }
  })
  return (names, order) => {
    const hits: { rank: number; path: string }[] = []
    for (const name of names) for (const hit of found.get(name) ?? []) hits.push(hit)
    // a stable sort: within one search directory the names keep their order
    if (order === 'root-first') hits.sort((a, b) => a.rank - b.rank)
    return hits.map((h) => h.path)
  }
}

/** The Quadlet search directories of one tree, each listed once: what a generator finds there, for any number of units. */
export interface QuadletDirs {
  /** every directory Quadlet reads, in priority order (quadletSearchDirs) */
  dirs: readonly string[]
  /** the entries of `dir` that are not directories */
  files(dir: string): ReadonlySet<string>
  dropinDirs: DropinDirs
  /** the paths of a unit file in the search directories, the one the generator loads first */
  copies(unitName: string): string[]
  /** the drop-ins a unit gets under a release's rule (default: podman 5.6 and later's); found once, the same object each time */
  dropins(unitName: string, rule?: DropinRule): QuadletDropins
  /** the files the generator loads for a unit, as podman 5.6 and later find them */
  find(unitName: string): QuadletFiles
}

export interface QuadletDropins {
  /** the drop-ins the release applies, in order */
  applied: string[]
  /** drop-ins the release does not read at all (4.x: every one; 5.0, 5.1: container.d/ and the dash-prefix dirs) */
  ignored: string[]
  /** drop-ins hidden by a same-named one that takes precedence in this release */
  overridden: string[]
}


/**
 * The search directories walked once, each directory listed once and its files kept as a set, so finding N units
 * costs N lookups, not N walks. Models that read one tree share one.
 */
export function quadletDirs(list: ListDir, roots: readonly string[] = QUADLET_UNIT_DIRS): QuadletDirs {
  const listed = new Map<string, readonly string[] | undefined>()
  const once: ListDir = (dir) => {
    if (!listed.has(dir)) listed.set(dir, list(dir))
    return listed.get(dir)
  }
  const dirs = quadletSearchDirs(once, roots)
  const dropinDirs = dropinDirsIn(once, dirs)
  const filesIn = new Map<string, Set<string>>()
  const files = (dir: string): Set<string> => {
    let set = filesIn.get(dir)
    if (!set) {
      set = new Set((once(dir) ?? []).filter((name) => once(join(dir, name)) === undefined))
      filesIn.set(dir, set)
    }
    return set
  }
  // The first directory holding the name wins. (Quadlet also falls back to the next copy when the winner fails
  // to parse; a caller that parses can do that with `shadowed`.)
  const copies = (unitName: string) => packed(dirs.filter((d) => files(d).has(unitName)), (d) => join(d, unitName))
  // inspect's models ask for the same units' drop-ins; the answer depends only on the name and the rule
  const dropinsOf = new Map<string, QuadletDropins>()
  const dropins = (unitName: string, rule: DropinRule = 'specific-first'): QuadletDropins => {
    const key = `${rule}/${unitName}`
    let found = dropinsOf.get(key)
    if (!found) dropinsOf.set(key, (found = dropinsFor(unitName, rule)))
    return found
  }
  const dropinsFor = (unitName: string, rule: DropinRule): QuadletDropins => {
    const confs = (dir: string) => [...files(dir)].filter((n) => n.endsWith('.conf')).sort(byteOrder).map((n) => join(dir, n))
    const names = dropinDirNames(unitName) // most specific first
    const read = rule === 'none' ? [] : rule === 'unit' ? names.slice(0, 1) : names
    const everything = dropinDirs(names, 'specific-first').flatMap(confs)
    // the common case, no drop-in directory of any of its names: nothing to choose from
    if (everything.length === 0) return { applied: [], ignored: [], overridden: [] }
    // the candidates in precedence order: the first file of each name wins
    const candidates = rule === 'specific-first' ? everything : dropinDirs(read, 'root-first').flatMap(confs)
    const chosen = new Map<string, string>()
    const overridden: string[] = []
    for (const path of candidates) {
      const name = path.slice(path.lastIndexOf('/') + 1)
      if (chosen.has(name)) overridden.push(path)
      else chosen.set(name, path)
    }
    const seen = new Set(candidates)
    return {
      applied: packed([...chosen.keys()].sort(byteOrder), (n) => chosen.get(n)!),
      ignored: everything.filter((p) => !seen.has(p)),
      overridden,
    }
  }
  const find = (unitName: string): QuadletFiles => {
    const [unit, ...shadowed] = copies(unitName)
    const { applied, overridden } = dropins(unitName)
    return { unit, shadowed, dropins: applied, overridden }
  }
  return { dirs, files, dropinDirs, copies, dropins, find }
}

export function findQuadletFiles(unitName: string, list: ListDir, roots: readonly string[] = QUADLET_UNIT_DIRS): QuadletFiles {
  return quadletDirs(list, roots).find(unitName)
}
