// The classification tables of src/isolation/ are written as text, one row a line, so a row is data and the
// code that gives it meaning is the one function reading the table (classifyDevice, classifyHostPath).
//
//   - cells are separated by ' | ' (a '|' with no blank beside it, as in a regular expression, is no separator);
//   - an indented line continues the row above it (joined with one blank);
//   - blank lines and lines starting with '#' are skipped.

/** The rows of a text table, each a record of the named columns; a row with another number of cells throws. */
export function readTable<C extends string>(columns: readonly C[], text: string): Record<C, string>[] {
  const lines: string[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    if (/^\s/.test(line) && lines.length > 0) lines[lines.length - 1] += ` ${line.trim()}`
    else lines.push(line.trim())
  }
  return lines.map((line) => {
    const cells = line.split(/\s+\|\s+/)
    if (cells.length !== columns.length) throw new Error(`table row has ${cells.length} cells, not ${columns.length}: ${line}`)
    return Object.fromEntries(columns.map((c, i) => [c, cells[i]!])) as Record<C, string>
  })
}

/** A cell listing names (or patterns) separated by blanks. */
export const words = (cell: string): string[] => cell.split(/\s+/).filter(Boolean)

export type Verdict = 'allow' | 'refuse'

/** A verdict cell; anything else is a mistake in the table. */
export function verdictOf(cell: string): Verdict {
  if (cell === 'allow' || cell === 'refuse') return cell
  throw new Error(`table verdict is allow or refuse, not ${cell}`)
}
