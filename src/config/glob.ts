import { lstatSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** A glob segment as a regex: `*`, `?` and `[...]`; like Python's glob, wildcards skip dot files. */
function segmentRegex(segment: string): RegExp {
  let re = ''
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2)
      if (end < 0) re += '\\['
      else {
        const body = segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')
        re += `[${body}]`
        i = end
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(`^${segment.startsWith('.') ? '' : '(?!\\.)'}${re}$`)
}

const hasMagic = (s: string) => /[*?[]/.test(s)

/**
 * Why `pattern` could match outside the config's directory, or undefined. A glob is relative and never
 * climbs: no leading '/', no '..' segment (what it matches is still checked against the source root,
 * since a symlink inside can point anywhere).
 */
export function globProblem(pattern: string): string | undefined {
  if (pattern.startsWith('/')) return 'must be relative to the config\'s directory, not absolute'
  if (pattern.split('/').includes('..')) return 'must not climb out of the config\'s directory with ".."'
  return undefined
}

/**
 * Files (not directories) under `base` matching the relative `pattern`, as sorted relative paths, at most
 * `limit` of them plus one (so the caller can tell there are too many without the walk collecting them all).
 * `**` matches any number of directories; it does not descend into symlinked directories, so a link loop
 * cannot make the walk endless.
 */
export function globFiles(base: string, pattern: string, limit = Infinity): string[] {
  const out = new Set<string>()
  const walk = (dir: string, rel: string, parts: string[]) => {
    if (out.size > limit) return
    const [head, ...rest] = parts
    if (head === undefined) {
      if (isFile(dir)) out.add(rel)
      return
    }
    if (head === '**') {
      walk(dir, rel, rest)
      for (const name of list(dir)) if (!name.startsWith('.') && isRealDir(join(dir, name))) walk(join(dir, name), join(rel, name), parts)
      return
    }
    if (!hasMagic(head)) return walk(join(dir, head), join(rel, head), rest)
    const re = segmentRegex(head)
    for (const name of list(dir)) if (re.test(name)) walk(join(dir, name), join(rel, name), rest)
  }
  walk(base, '', pattern.split('/').filter((p) => p !== '' && p !== '.'))
  return [...out].sort().slice(0, limit === Infinity ? undefined : limit + 1)
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort()
  } catch {
    return []
  }
}

const isFile = (p: string) => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false
const isRealDir = (p: string) => lstatSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false
