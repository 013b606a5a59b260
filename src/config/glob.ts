import { readdirSync, statSync } from 'node:fs'
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
 * Files (not directories) under `base` matching the relative `pattern`, as sorted
 * relative paths. `**` matches any number of directories.
 */
export function globFiles(base: string, pattern: string): string[] {
  const out: string[] = []
  const walk = (dir: string, rel: string, parts: string[]) => {
    const [head, ...rest] = parts
    if (head === undefined) {
      if (isFile(dir)) out.push(rel)
      return
    }
    if (head === '**') {
      walk(dir, rel, rest)
      for (const name of list(dir)) if (!name.startsWith('.') && isDir(join(dir, name))) walk(join(dir, name), join(rel, name), parts)
      return
    }
    if (!hasMagic(head)) return walk(join(dir, head), join(rel, head), rest)
    const re = segmentRegex(head)
    for (const name of list(dir)) if (re.test(name)) walk(join(dir, name), join(rel, name), rest)
  }
  walk(base, '', pattern.split('/').filter((p) => p !== '' && p !== '.'))
  return [...new Set(out)].sort()
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort()
  } catch {
    return []
  }
}

const isFile = (p: string) => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false
const isDir = (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false
