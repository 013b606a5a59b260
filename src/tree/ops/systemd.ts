import { own } from '../../own.ts'
import { posix } from 'node:path'
import type { StageFn, StageRun } from '../run.ts'
import {
  createDir,
  createSymlink,
  fsError,
  getNode,
  listDir,
  readBytes,
  removePath,
  resolve,
  type Tree,
} from '../vtree.ts'

/**
 * org.osbuild.systemd runs `systemctl --root TREE enable|disable|mask` per unit, masks
 * generators itself, then `systemctl set-default`. This follows what systemctl 252 (EL9,
 * Debian 12) writes; paths inside the tree resolve as under a chroot, as --root does.
 */
export const systemd: StageFn = (options, run) => {
  const list = (key: string): string[] => (options[key] as string[] | undefined) ?? []
  for (const unit of list('enabled_services')) run.item(`systemctl enable ${unit}`, () => enable(run, unit))
  for (const unit of list('disabled_services')) run.item(`systemctl disable ${unit}`, () => disable(run, unit))
  for (const unit of list('masked_services')) run.item(`systemctl mask ${unit}`, () => mask(run.tree, unit))
  const generators = list('masked_generators')
  if (generators.length > 0) {
    run.item('mask generators', () => {
      // Done by the stage with os.makedirs/os.symlink, so the kernel (not --root) resolves the path.
      const dir = ensureDirs(run.tree, GENERATORS, false)
      for (const g of generators) {
        const at = posix.join(dir, g)
        if (getNode(run.tree, at)) throw fsError('EEXIST', `${GENERATORS}/${g}`, 'file exists')
        createSymlink(run.tree, at, '/dev/null')
      }
    })
  }
  const target = options.default_target as string | undefined
  if (target) run.item(`systemctl set-default ${target}`, () => setDefault(run, target))
}

const CONFIG = '/etc/systemd/system'
const GENERATORS = '/etc/systemd/system-generators'

/** systemctl --root's system unit search path, highest priority first. */
const SEARCH_PATH = [
  '/etc/systemd/system.control',
  '/run/systemd/system.control',
  '/run/systemd/transient',
  '/etc/systemd/system',
  '/etc/systemd/system.attached',
  '/run/systemd/system',
  '/run/systemd/system.attached',
  '/usr/local/lib/systemd/system',
  '/usr/lib/systemd/system',
  '/lib/systemd/system',
]

const inSearchPath = (path: string): boolean => SEARCH_PATH.some((dir) => path.startsWith(`${dir}/`))

interface UnitFile {
  /** The unit's own name (an alias resolves to the unit it points to). */
  name: string
  /** Absolute path inside the tree that links are made to. */
  path: string
  masked: boolean
  install: Install
}

interface Install {
  wantedBy: string[]
  requiredBy: string[]
  upheldBy: string[]
  alias: string[]
  also: string[]
  defaultInstance: string | undefined
}

const templateOf = (name: string): string | undefined => {
  const m = /^([^@]+)@[^@.]+(\.[a-z]+)$/.exec(name)
  return m ? `${m[1]}@${m[2]}` : undefined
}

const chroot = { chroot: true } as const

function find(tree: Tree, name: string): UnitFile | undefined {
  const candidates = [name, templateOf(name)].filter((n): n is string => n !== undefined)
  for (const candidate of candidates) {
    for (const dir of SEARCH_PATH) {
      const path = posix.join(dir, candidate)
      let r
      try {
        r = resolve(tree, path, chroot)
      } catch {
        continue
      }
      if (!r.node) continue
      if (r.node.type !== 'symlink') return load(tree, name, path, r.path)
      // A symlink: a mask (-> /dev/null), an alias, or a linked unit file elsewhere in the tree.
      const final = chase(tree, r.path)
      if (final === '/dev/null') return { name, path, masked: true, install: emptyInstall() }
      const base = posix.basename(final)
      const own = base === candidate ? name : base
      return load(tree, own, final, final)
    }
  }
  return undefined
}

/** Follow symlinks to the end, under the tree as root; the result may not exist. */
function chase(tree: Tree, path: string): string {
  let at = path
  for (let hops = 0; hops < 40; hops++) {
    let r
    try {
      r = resolve(tree, at, chroot)
    } catch {
      return at
    }
    if (r.node?.type !== 'symlink') return r.path
    const target = r.node.target!
    at = target.startsWith('/') ? posix.normalize(target) : posix.join(posix.dirname(r.path), target)
  }
  return at
}

function load(tree: Tree, name: string, path: string, real: string): UnitFile {
  const r = resolve(tree, real, { ...chroot, follow: true })
  if (!r.node || r.node.type !== 'file') return { name, path, masked: false, install: emptyInstall() }
  const text = readBytes(tree, r.path).toString('utf8')
  // systemd treats an empty unit file like a link to /dev/null.
  if (text.length === 0) return { name, path, masked: true, install: emptyInstall() }
  return { name, path, masked: false, install: parseInstall(text, name) }
}

const emptyInstall = (): Install => ({ wantedBy: [], requiredBy: [], upheldBy: [], alias: [], also: [], defaultInstance: undefined })

/** The [Install] section: space-separated lists that accumulate, an empty assignment resets. */
export function parseInstall(text: string, unit: string): Install {
  const install = emptyInstall()
  const lists: Record<string, keyof Omit<Install, 'defaultInstance'>> = {
    WantedBy: 'wantedBy',
    RequiredBy: 'requiredBy',
    UpheldBy: 'upheldBy',
    Alias: 'alias',
    Also: 'also',
  }
  let section = ''
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)
  for (const raw of lines) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    if (line.startsWith('[')) {
      section = line.replace(/^\[|\]$/g, '')
      continue
    }
    if (section !== 'Install') continue
    const eq = line.indexOf('=')
    if (eq < 0) continue
    const key = line.slice(0, eq).trim()
    const value = specifiers(line.slice(eq + 1).trim(), unit)
    if (key === 'DefaultInstance') install.defaultInstance = value || undefined
    const field = own(lists, key)
    if (!field) continue
    if (value === '') install[field] = []
    else install[field].push(...value.split(/\s+/).map((v) => v.replace(/^["']|["']$/g, '')))
  }
  return install
}

/** The specifiers that make sense at install time without a running system. */
function specifiers(value: string, unit: string): string {
  const dot = unit.lastIndexOf('.')
  const stem = unit.slice(0, dot)
  const at = stem.indexOf('@')
  const prefix = at >= 0 ? stem.slice(0, at) : stem
  const instance = at >= 0 ? stem.slice(at + 1) : ''
  const table: Record<string, string> = { n: unit, N: stem, p: prefix, i: instance, '%': '%' }
  return value.replace(/%(.)/g, (all, c: string) => table[c] ?? all)
}

/** mkdir -p under the tree, 0755 like systemd's mkdir_parents; returns the canonical directory. */
function ensureDirs(tree: Tree, dir: string, asChroot = true): string {
  let at = '/'
  for (const part of dir.split('/').filter(Boolean)) {
    const r = resolve(tree, posix.join(at, part), { follow: true, chroot: asChroot })
    if (!r.node) createDir(tree, r.path, { mode: 0o755, uid: 0, gid: 0 })
    else if (r.node.type !== 'dir') throw fsError('ENOTDIR', dir, `${r.path} is not a directory`)
    at = r.path
  }
  return at
}

/** Two link targets that systemctl considers the same unit file. */
function equivalent(tree: Tree, linkDir: string, a: string, b: string): boolean {
  const abs = (t: string) => (t.startsWith('/') ? posix.normalize(t) : posix.join(linkDir, t))
  const [pa, pb] = [chase(tree, abs(a)), chase(tree, abs(b))]
  if (pa === pb) return true
  return posix.basename(pa) === posix.basename(pb) && inSearchPath(pa) && inSearchPath(pb)
}

type LinkKind = 'wants' | 'alias'

/** Create LINK -> TARGET under /etc/systemd/system. Dependency links replace other symlinks; aliases do not. */
function link(run: StageRun, relative: string, target: string, kind: LinkKind): void {
  const full = posix.join(CONFIG, relative)
  const dir = ensureDirs(run.tree, posix.dirname(full))
  const at = posix.join(dir, posix.basename(full))
  const have = getNode(run.tree, at)
  if (have?.type === 'symlink') {
    if (equivalent(run.tree, dir, have.target!, target)) return
    if (kind === 'alias') throw fsError('EEXIST', full, `already exists and is a symlink to ${have.target}`)
    removePath(run.tree, at)
  } else if (have) {
    if (kind === 'alias') throw fsError('EEXIST', full, 'already exists')
    // systemctl reports this but still exits 0, so the osbuild stage succeeds.
    run.note(`${run.pipeline}: systemctl enable left ${full} alone: it exists and is not a symlink`)
    return
  }
  createSymlink(run.tree, at, target)
}

function enable(run: StageRun, name: string, seen = new Set<string>()): void {
  if (seen.has(name)) return
  seen.add(name)
  const unit = find(run.tree, name)
  if (!unit) throw fsError('ENOENT', name, `unit ${name} does not exist`)
  if (unit.masked) throw new Error(`unit ${name} is masked`)
  const { install } = unit
  const instance = linkName(unit, install)
  for (const alias of install.alias) {
    if (alias.includes('/')) throw new Error(`invalid alias ${alias}`)
    if (alias !== unit.name) link(run, alias, unit.path, 'alias')
  }
  if (install.upheldBy.length > 0) {
    run.note(`${run.pipeline}: ${name}: UpheldBy= links are written as newer systemd does; systemctl 252 (EL9) ignores UpheldBy=`)
  }
  if (instance !== undefined) {
    for (const t of install.wantedBy) link(run, `${t}.wants/${instance}`, unit.path, 'wants')
    for (const t of install.requiredBy) link(run, `${t}.requires/${instance}`, unit.path, 'wants')
    for (const t of install.upheldBy) link(run, `${t}.upholds/${instance}`, unit.path, 'wants')
  }
  const empty = [install.wantedBy, install.requiredBy, install.upheldBy, install.alias, install.also].every((l) => l.length === 0)
  if (empty) run.note(`${run.pipeline}: ${name} has no installation config ([Install]); systemctl enable does nothing`)
  for (const other of install.also) enable(run, other, seen)
}

/** The name dependency links get: the unit, the requested instance, or the template's DefaultInstance. */
function linkName(unit: UnitFile, install: Install): string | undefined {
  if (!/@\./.test(unit.name)) return unit.name
  if (!install.defaultInstance) return undefined
  return unit.name.replace('@.', `@${install.defaultInstance}.`)
}

function disable(run: StageRun, name: string): void {
  const unit = find(run.tree, name)
  if (!unit) {
    // systemctl 252 prints an error here but exits 0.
    run.note(`${run.pipeline}: systemctl disable ${name}: unit does not exist`)
    return
  }
  if (unit.masked) {
    run.note(`${run.pipeline}: systemctl disable ${name}: unit is masked, ignoring`)
    return
  }
  // The unit and everything its Also= names, by name and by file.
  const names = new Set<string>([name])
  const paths = new Set<string>()
  const pending = [unit]
  while (pending.length > 0) {
    const u = pending.pop()!
    if (paths.has(u.path)) continue
    names.add(u.name)
    paths.add(u.path)
    for (const other of u.install.also) {
      names.add(other)
      const found = find(run.tree, other)
      if (found && !found.masked) pending.push(found)
    }
  }
  removeMarked(run.tree, names, paths)
}

/** Remove symlinks below /etc/systemd/system named after, or pointing to, the marked units; prune emptied dirs. */
function removeMarked(tree: Tree, names: Set<string>, paths: Set<string>): void {
  let top
  try {
    top = resolve(tree, CONFIG, { ...chroot, follow: true })
  } catch {
    return
  }
  if (top.node?.type !== 'dir') return
  const root = top.path
  const visit = (dir: string): void => {
    for (const entry of listDir(tree, dir)) {
      const path = posix.join(dir, entry)
      const node = getNode(tree, path)!
      if (node.type === 'dir') visit(path)
      if (node.type !== 'symlink') continue
      const template = templateOf(entry)
      const dest = chase(tree, path)
      const marked =
        names.has(entry) ||
        (template !== undefined && names.has(template)) ||
        paths.has(dest) ||
        names.has(posix.basename(dest))
      if (!marked) continue
      removePath(tree, path)
      for (let d = dir; d !== root && listDir(tree, d).length === 0; d = posix.dirname(d)) removePath(tree, d)
    }
  }
  visit(root)
}

function mask(tree: Tree, name: string): void {
  const dir = ensureDirs(tree, CONFIG)
  const at = posix.join(dir, name)
  const have = getNode(tree, at)
  if (have?.type === 'symlink' && have.target === '/dev/null') return
  if (have?.type === 'symlink') throw fsError('EEXIST', `${CONFIG}/${name}`, `already exists and is a symlink to ${have.target}`)
  if (have) throw fsError('EEXIST', `${CONFIG}/${name}`, 'already exists')
  createSymlink(tree, at, '/dev/null')
}

function setDefault(run: StageRun, name: string): void {
  const unit = find(run.tree, name)
  if (!unit) throw fsError('ENOENT', name, `unit ${name} does not exist`)
  if (unit.masked) throw new Error(`unit ${name} is masked`)
  const dir = ensureDirs(run.tree, CONFIG)
  const at = posix.join(dir, 'default.target')
  const have = getNode(run.tree, at)
  if (have && have.type !== 'symlink') throw fsError('EEXIST', `${CONFIG}/default.target`, 'already exists')
  if (have) removePath(run.tree, at)
  createSymlink(run.tree, at, unit.path)
}
