// How Quadlet writes a command line (ExecStart=, ExecStop=) so that systemd splits it back into the same
// words (systemd.service(5) "Command lines"). Observed from the generators' output: a word holding a blank,
// a quote, a backslash or a control character is written in double quotes with C escapes; anything else,
// '$', '%' and ';' included, is written as it is (specifiers and variables are left for systemd).

import { packed } from '../../packed.ts'

const NAMED: Readonly<Record<string, string>> = {
  '\\': '\\\\', '"': '\\"', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\v': '\\v', '\f': '\\f', '\x07': '\\a', '\b': '\\b',
}

// only ASCII blanks count: systemd does not split on U+00A0 and the like, and Quadlet leaves them alone
const NEEDS_QUOTES = /[ "'\\\x00-\x1f\x7f]/

export function quoteWord(word: string, escapesBlank: boolean): string {
  if (word === '') return '""'
  if (!NEEDS_QUOTES.test(word)) return word
  let out = ''
  for (const c of word) {
    if (c === ' ') out += escapesBlank ? '\\x20' : ' '
    else if (Object.hasOwn(NAMED, c)) out += NAMED[c]
    else if (c < ' ' || c === '\x7f') out += `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
    else out += c
  }
  return `"${out}"`
}

export const commandLine = (argv: readonly string[], escapesBlank: boolean) => packed(argv, (w) => quoteWord(w, escapesBlank)).join(' ')
