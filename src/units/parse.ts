// Reads systemd-style unit files the way the program that consumes them does. Two readers matter and they
// differ in small ways, so the caller names one:
//   'quadlet'  podman's Quadlet generator (pkg/systemd/parser/unitfile.go). It reads .container files and
//              their drop-ins, and every section of them, [Service] included, reaches systemd only through it.
//   'systemd'  systemd itself (src/shared/conf-parser.c), for plain .service files and their drop-ins.
// Values stay raw: no unquoting, no splitting (see split.ts), no specifier or ${VAR} expansion.

export type Dialect = 'quadlet' | 'systemd'

export interface UnitEntry {
  section: string
  key: string
  value: string
  file: string
  /** 1-based line where the key starts (a continued value spans later lines too). */
  line: number
}

export interface UnitIssue {
  file: string
  line: number
  message: string
  /** What the reader drops because of it: this line only, or the whole file. */
  drops: 'line' | 'file'
}

export interface UnitFile {
  file: string
  dialect: Dialect
  /** What the reader takes from the file, in file order. Empty when `rejected`. */
  entries: UnitEntry[]
  issues: UnitIssue[]
  /** The reader refuses the whole file (Quadlet skips a drop-in, or the unit, that has any malformed line). */
  rejected: boolean
}

// Go's unicode.IsSpace (Quadlet trims with strings.TrimSpace) versus systemd's WHITESPACE " \t\n\r".
// Note JS String.prototype.trim differs from both (it strips U+FEFF), so it is not used.
export const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/
const SD_SPACE = /[\t\n\r ]/

function trimWith(s: string, space: RegExp, left = true, right = true): string {
  let a = 0
  let b = s.length
  if (left) while (a < b && space.test(s[a]!)) a++
  if (right) while (b > a && space.test(s[b - 1]!)) b--
  return s.slice(a, b)
}

const isComment = (s: string) => s[0] === '#' || s[0] === ';'

export function parseUnit(text: string, file: string, dialect: Dialect = 'quadlet'): UnitFile {
  const out: UnitFile = { file, dialect, entries: [], issues: [], rejected: false }
  const lines = text.split(/\r?\n/)
  if (text.endsWith('\n')) lines.pop()
  if (dialect === 'quadlet') readQuadlet(lines, out)
  else readSystemd(lines, out)
  if (out.issues.some((i) => i.drops === 'file')) {
    out.rejected = true
    out.entries = []
  }
  return out
}

// Quadlet: every physical line is trimmed first; blank and comment lines inside a continuation are skipped;
// a trailing backslash is removed and the next line appended with nothing in between; any line that is not
// a comment, a [group] or key=value fails the whole file.
function readQuadlet(lines: string[], out: UnitFile): void {
  let section: string | undefined
  let pending: { text: string; line: number } | undefined
  const issue = (line: number, message: string, drops: 'line' | 'file' = 'file') =>
    out.issues.push({ file: out.file, line, message, drops })

  lines.forEach((raw, i) => {
    const lineNo = i + 1
    let text = trimWith(raw, GO_SPACE)
    if (text === '' || isComment(text)) return
    let start = lineNo
    if (text.endsWith('\\')) {
      text = text.slice(0, -1)
      if (i !== lines.length - 1) {
        pending = pending ? { text: pending.text + text, line: pending.line } : { text, line: lineNo }
        return
      }
    }
    if (pending) {
      text = pending.text + text
      start = pending.line
      pending = undefined
    }

    if (text[0] === '[') {
      const end = text.indexOf(']')
      if (end !== -1 && /^[ \t]*$/.test(text.slice(end + 1))) {
        const name = text.slice(1, end)
        if (name === '' || /[[\]\u0000-\u001f\u007f-\u009f]/.test(name)) issue(start, `invalid section name "${name}"`)
        else section = name
        return
      }
    }
    const eq = text.indexOf('=')
    if (eq <= 0) return issue(start, 'line is not a key=value pair, a [section] or a comment')
    if (section === undefined) return issue(start, 'key=value before the first [section]')
    const key = trimWith(text.slice(0, eq), GO_SPACE, false, true)
    const value = trimWith(text.slice(eq + 1), GO_SPACE, true, false)
    out.entries.push({ section, key, value, file: out.file, line: start })
  })
  // Quadlet never flushes a continuation that only comments or blank lines follow: the key is lost.
  if (pending) issue(pending.line, 'continued line runs into the end of the file; Quadlet drops it', 'line')
}

// systemd: comment lines are skipped before continuation handling (so they vanish inside a continued value);
// a trailing unescaped backslash becomes a space and the next raw line (leading blanks kept) is appended;
// a blank line ends a continuation. Bad section headers fail the file; other bad lines are skipped.
function readSystemd(lines: string[], out: UnitFile): void {
  let section: string | undefined
  let pending: { text: string; line: number } | undefined
  const issue = (line: number, message: string, drops: 'line' | 'file' = 'line') =>
    out.issues.push({ file: out.file, line, message, drops })

  const logical = (raw: string, start: number) => {
    const text = trimWith(raw, SD_SPACE)
    if (text === '') return
    if (text[0] === '[') {
      if (!text.endsWith(']')) return issue(start, `invalid section header "${text}"`, 'file')
      const name = text.slice(1, -1)
      if (/[\u0000-\u001f\u007f"'\\]/.test(name)) return issue(start, `bad characters in section header "${text}"`, 'file')
      section = name
      return
    }
    if (section === undefined) return issue(start, 'assignment outside of a section, ignored')
    const eq = text.indexOf('=')
    if (eq === -1) return issue(start, "missing '=', line ignored")
    if (eq === 0) return issue(start, "missing key name before '=', line ignored")
    const key = trimWith(text.slice(0, eq), SD_SPACE)
    out.entries.push({ section, key, value: trimWith(text.slice(eq + 1), SD_SPACE), file: out.file, line: start })
  }

  lines.forEach((raw, i) => {
    const lineNo = i + 1
    if (i === 0 && raw.startsWith('\ufeff')) raw = raw.slice(1)
    const lead = trimWith(raw, SD_SPACE, true, false)
    if (lead !== '' && isComment(lead)) return
    const text = pending ? pending.text + raw : raw
    const start = pending ? pending.line : lineNo
    if (endsEscaped(text)) {
      pending = { text: text.slice(0, -1) + ' ', line: start }
      return
    }
    pending = undefined
    logical(text, start)
  })
  if (pending) logical(pending.text, pending.line)
}

/** True when the string ends in a backslash that is not itself escaped (odd run of trailing backslashes). */
function endsEscaped(s: string): boolean {
  let n = 0
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++
  return n % 2 === 1
}
