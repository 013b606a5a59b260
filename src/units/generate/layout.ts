// The lines of a Quadlet file as the generator keeps them for its output: besides the keys, comment lines
// survive. Observed from `quadlet -dryrun`: comments before a [section] header are printed before that
// header (a drop-in's go after the unit's own), comments inside a section stay where they are, trailing
// ones join the last section; a blank line is kept only after a comment. The keys come from parseUnit, so
// continuation lines and trimming follow the one reader every other part of qm-stage uses.

import type { UnitFile } from '../parse.ts'

export type Line = { key: string; value: string } | { comment: string }

export interface Group {
  name: string
  /** comment and blank lines printed before the header */
  before: string[]
  lines: Line[]
}

const trim = (s: string) => s.replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/g, '')

/** Adds one file's lines to `groups` (sections in order of first appearance). */
export function addLayout(groups: Group[], file: UnitFile, text: string): void {
  const starts = new Map(file.entries.map((e) => [e.line, e]))
  const group = (name: string) => {
    let g = groups.find((x) => x.name === name)
    if (!g) groups.push((g = { name, before: [], lines: [] }))
    return g
  }
  let current: Group | undefined
  let pending: string[] = []
  let continued = false
  const lines = text.split(/\r?\n/)
  if (text.endsWith('\n')) lines.pop()
  lines.forEach((raw, i) => {
    const line = trim(i === 0 ? raw.replace(/^\ufeff/, '') : raw)
    const comment = line.startsWith('#') || line.startsWith(';')
    if (continued) {
      // inside a continued value the reader skips comments and blank lines; the value is the entry's
      if (line === '' || comment) return
      continued = line.endsWith('\\')
      return
    }
    if (line === '') {
      if (pending.length) pending.push('')
      return
    }
    if (comment) {
      pending.push(line)
      return
    }
    const entry = starts.get(i + 1)
    if (entry) {
      continued = line.endsWith('\\')
      current = group(entry.section)
      current.lines.push(...pending.map((c) => ({ comment: c })), { key: entry.key, value: entry.value })
      pending = []
      return
    }
    const header = /^\[([^\]]+)\]/.exec(line)
    if (header) {
      current = group(header[1]!)
      current.before.push(...pending)
      pending = []
    }
  })
  if (current) current.lines.push(...pending.map((c) => ({ comment: c })))
}

export function groupText(groups: readonly Group[]): string {
  return groups
    .map((g) => `${g.before.map((l) => `${l}\n`).join('')}[${g.name}]\n${g.lines.map((l) => ('comment' in l ? `${l.comment}\n` : `${l.key}=${l.value}\n`)).join('')}`)
    .join('\n')
}
