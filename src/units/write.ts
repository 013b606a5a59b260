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

function checkValue(where: string, value: string): void {
  if (BREAKS_LINE.test(value)) throw new Error(`${where}: value contains a newline, carriage return or NUL`)
  if (value.endsWith('\\')) throw new Error(`${where}: value ends in a backslash, which continues the line`)
  if (value !== '' && (GO_SPACE.test(value[0]!) || GO_SPACE.test(value.at(-1)!))) {
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
