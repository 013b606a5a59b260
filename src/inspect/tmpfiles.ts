import { posix } from 'node:path'
import type { TreeView } from './view.ts'

/** Where systemd-tmpfiles reads its files; a name in an earlier directory hides the same name in a later one. */
export const TMPFILES_DIRS = ['/etc/tmpfiles.d', '/run/tmpfiles.d', '/usr/lib/tmpfiles.d'] as const

/** One line of a tmpfiles.d file, as the report shows it. */
export interface TmpfilesLine {
  type: string
  path: string
  mode?: string
  argument?: string
  file: string
  line: number
}

/** Types that create the path when it is missing (tmpfiles.d(5)); the others only adjust or remove. */
const CREATES = /^[fFwdDevqQpLcbCT]$/

/**
 * The lines of the host's tmpfiles.d files for `paths`, as systemd-tmpfiles sees them:
 * files by name across the three directories (the first directory wins), then in name
 * order, and for one path the first creating line wins, as systemd-tmpfiles keeps it.
 */
export function tmpfilesFor(host: TreeView, paths: readonly string[]): Map<string, TmpfilesLine> {
  const byName = new Map<string, string>()
  for (const dir of TMPFILES_DIRS) {
    for (const name of host.list(dir) ?? []) if (name.endsWith('.conf') && !byName.has(name)) byName.set(name, `${dir}/${name}`)
  }
  const wanted = new Set(paths)
  const out = new Map<string, TmpfilesLine>()
  for (const name of [...byName.keys()].sort()) {
    const file = byName.get(name)!
    // a link to /dev/null masks a file of the same name
    if (host.resolve(file) === '/dev/null') continue
    const lines = (host.text(file) ?? '').split('\n')
    lines.forEach((text, i) => {
      const fields = text.trim().split(/\s+/)
      if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#') || fields.length < 2) return
      const type = fields[0].replace(/[!+=~^-]/g, '')
      const path = posix.normalize(fields[1]!)
      if (!wanted.has(path) || !CREATES.test(type) || out.has(path)) return
      const line: TmpfilesLine = { type, path, file, line: i + 1 }
      if (fields[2] && fields[2] !== '-') line.mode = fields[2]
      if (fields[6] && fields[6] !== '-') line.argument = fields.slice(6).join(' ')
      out.set(path, line)
    })
  }
  return out
}
