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

const EDGE = /^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/g
/** A code unit no trim removes: printable ASCII, the common case, needs no regular expression. */
const plain = (c: number) => c > 0x20 && c < 0x7f
const trim = (s: string) => (s === '' || (plain(s.charCodeAt(0)) && plain(s.charCodeAt(s.length - 1))) ? s : s.replace(EDGE, ''))

/** Adds one file's lines to `groups` (sections in order of first appearance). */
export function addLayout(groups: Group[], file: UnitFile, text: string): void {
  const group = (name: string) => {
    let g = groups.find((x) => x.name === name)
    if (!g) groups.push((g = { name, before: [], lines: [] }))
    return g
  }
  const { entries } = file
  let nextEntry = 0
  let current: Group | undefined
  let pending: string[] = []
  let continued = false
  // split at \n alone: a \r before it goes with the other blanks the trim removes
  const lines = text.split('\n')
  if (text.endsWith('\n')) lines.pop()
  for (let i = 0; i < lines.length; i++) {
    // (a byte-order mark makes Quadlet refuse the file: none reaches here)
    const line = trim(lines[i]!)
    const comment = line.startsWith('#') || line.startsWith(';')
    if (continued) {
      // inside a continued value the reader skips comments and blank lines; the value is the entry's
      if (line === '' || comment) continue
      continued = line.endsWith('\\')
      continue
    }
    if (line === '') {
      if (pending.length) pending.push('')
      continue
    }
    if (comment) {
      pending.push(line)
      continue
    }
    // entries are in line order: the next one starts here or further down
    while (nextEntry < entries.length && entries[nextEntry]!.line < i + 1) nextEntry++
    const entry = entries[nextEntry]?.line === i + 1 ? entries[nextEntry] : undefined
    if (entry) {
      continued = line.endsWith('\\')
      current = group(entry.section)
      for (const c of pending) current.lines.push({ comment: c })
      current.lines.push({ key: entry.key, value: entry.value })
      pending = []
      continue
    }
    const header = /^\[([^\]]+)\]/.exec(line)
    if (header) {
      current = group(header[1]!)
      current.before.push(...pending)
      pending = []
    }
  }
  if (current) for (const c of pending) current.lines.push({ comment: c })
}

export function groupText(groups: readonly Group[]): string {
  // pieces joined once: reports keep the text, and a string grown with += stays a rope of every piece
  const out: string[] = []
  groups.forEach((g, i) => {
    if (i > 0) out.push('\n')
    for (const l of g.before) out.push(l, '\n')
    out.push('[', g.name, ']\n')
    for (const l of g.lines) {
      if ('comment' in l) out.push(l.comment, '\n')
      else out.push(l.key, '=', l.value, '\n')
    }
  })
  return out.join('')
}
