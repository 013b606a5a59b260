// Every string of a config ends up in some file: a unit or drop-in, a conf file, a manifest. Control
// characters have no business in any of them: NEL (U+0085), \v and \f are white space that Quadlet or the
// BlueChi agent trims from a value's edge, C0 separators are white space to Python, and the rest are
// invisible in every file and message. So they are refused everywhere, as a class, at their place (tab
// excepted; the free text of a file's content and an armored key may also hold line breaks). With them
// gone, JavaScript's \s is exactly the set of blanks any reader trims, and the schema's `line` rule
// refuses \s at a value's edge.

import { CONTROL } from '../units/write.ts'
import { escapeKey } from './messages.ts'
import type { Check } from './messages.ts'


/** Places whose strings are free text: a file's content, an ASCII-armored key. They may hold line breaks. */
const FREE_TEXT = [/^\/content\/add_files\/\d+\/text$/, /^\/rootfs\/gpgkeys\/\d+$/]
const LINE_BREAKS = /[\n\r]/g

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`

function problem(text: string, free: boolean): string | undefined {
  const m = CONTROL.exec(free ? text.replace(LINE_BREAKS, '') : text)
  if (!m) return undefined
  if (m[0].length === 1 && m[0] >= '\ud800' && m[0] <= '\udfff') return `contains ${codePoint(m[0])}, half of a UTF-16 surrogate pair without its other half: it has no UTF-8 form`
  if (m[0] === '\n' || m[0] === '\r') return `must be a single line: it holds a line break (${codePoint(m[0])}), which would inject keys into the file it is written to`
  return `contains ${codePoint(m[0])}, a control character; config text may hold no control characters but tab${free ? ' and line breaks' : ''}`
}

/** One positioned error for each string (or map key) of the raw config holding a control character. */
export function controlCharacterChecks(raw: unknown): Check[] {
  const out: Check[] = []
  const walk = (node: unknown, pointer: string) => {
    if (typeof node === 'string') {
      const why = problem(node, FREE_TEXT.some((re) => re.test(pointer)))
      if (why) out.push({ code: 'CONFIG_INVALID', message: why, pointer })
    } else if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${pointer}/${i}`))
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        const at = `${pointer}/${escapeKey(key)}`
        const why = problem(key, false)
        if (why) out.push({ code: 'CONFIG_INVALID', message: `key ${why}`, pointer: at, atKey: true })
        walk(value, at)
      }
    }
  }
  walk(raw, '')
  return out
}
