// Writes unit files and drop-ins. The output reads back, under both the Quadlet and the systemd reader, as
// exactly the entries given: anything that would not survive the read (a newline injecting a key, a trailing
// backslash joining the next line, blanks the reader trims) is a programmer error and throws.

import { GO_SPACE } from './parse.ts'

export interface UnitSection {
  name: string
  entries: (readonly [key: string, value: string])[]
}

// Letters, digits, '-' and '_' cover every systemd and Quadlet section and key, X- extensions included.
const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/
const BREAKS_LINE = /[\n\r\0]/

/** C0 and C1 controls but tab, DEL, and UTF-16 halves without their pair: refused in every config string. */
export const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/**
 * White space some reader trims from a value's edge: Go's unicode.IsSpace (Quadlet), C isspace (systemd,
 * the BlueChi agent), and JavaScript's \s (which adds U+FEFF). The schema's `line` rule refuses \s at the
 * edges and config text refuses controls (NEL among them), which together cover this set.
 */
export const EDGE_SPACE = new RegExp(`[\\s${GO_SPACE.source.slice(1, -1)}]`)

function checkValue(where: string, value: string): void {
  if (BREAKS_LINE.test(value)) throw new Error(`${where}: value contains a newline, carriage return or NUL`)
  if (CONTROL.test(value.replaceAll('\t', ''))) throw new Error(`${where}: value contains a control character`)
  if (value.endsWith('\\')) throw new Error(`${where}: value ends in a backslash, which continues the line`)
  if (value !== '' && (EDGE_SPACE.test(value[0]!) || EDGE_SPACE.test(value.at(-1)!))) {
    throw new Error(`${where}: value starts or ends with white space, which the reader trims`)
  }
}

export function writeUnit(sections: readonly UnitSection[], opts: { comment?: readonly string[] } = {}): string {
  const blocks: string[] = []
  if (opts.comment?.length) {
    for (const c of opts.comment) if (BREAKS_LINE.test(c)) throw new Error('comment line contains a newline, carriage return or NUL')
    blocks.push(opts.comment.map((c) => (c === '' ? '#' : `# ${c}`)).join('\n'))
  }
  for (const { name, entries } of sections) {
    if (!NAME.test(name)) throw new Error(`invalid section name ${JSON.stringify(name)}`)
    const lines = [`[${name}]`]
    for (const [key, value] of entries) {
      if (!NAME.test(key)) throw new Error(`[${name}]: invalid key ${JSON.stringify(key)}`)
      checkValue(`[${name}] ${key}`, value)
      lines.push(`${key}=${value}`)
    }
    blocks.push(lines.join('\n'))
  }
  return blocks.length ? `${blocks.join('\n\n')}\n` : ''
}
