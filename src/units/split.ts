import { GO_SPACE } from './parse.ts'

// How one raw value becomes several items, as Quadlet reads list keys (pkg/systemd/parser/split.go, a port of
// systemd's extract_first_word):
//   'words'  LookupAllStrv (e.g. DropCapability, AddDevice, WantedBy): split on blanks, '...' and "..." group
//            and are removed, a backslash is an ordinary character, an unbalanced quote drops the whole value.
//   'args'   LookupAllArgs / LookupAllKeyVal (e.g. PodmanArgs, Mount, Environment): as 'words', but backslash
//            escapes are decoded (\n, \t, \s, \xHH, \uHHHH, \UHHHHHHHH, \ooo ...), an unknown escape drops the
//            whole value, an unbalanced quote or a trailing backslash is tolerated.
// Quirk kept on purpose: Quadlet's port stops at the first empty word, so `a "" b` gives only [a].

export type SplitMode = 'words' | 'args'

const BLANK = new Set([' ', '\t', '\n', '\r'])

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'", s: ' ',
}

/** Decodes the escape that starts right after a backslash at `s[i]`: [text, length] or undefined if invalid. */
function unescapeAt(s: string, i: number): [string, number] | undefined {
  const c = s[i]
  if (c === undefined) return undefined
  if (Object.hasOwn(SIMPLE_ESCAPES, c)) return [SIMPLE_ESCAPES[c]!, 1]
  const hex = (n: number) => {
    const digits = s.slice(i + 1, i + 1 + n)
    return digits.length === n && /^[0-9a-fA-F]+$/.test(digits) ? parseInt(digits, 16) : -1
  }
  let code = -1
  let len = 0
  if (c === 'x') [code, len] = [hex(2), 3]
  else if (c === 'u') [code, len] = [hex(4), 5]
  else if (c === 'U') [code, len] = [hex(8), 9]
  else if (/[0-7]/.test(c)) {
    const oct = s.slice(i, i + 3)
    ;[code, len] = [/^[0-7]{3}$/.test(oct) ? parseInt(oct, 8) : -1, 3]
    if (code > 255) code = -1
  }
  // NUL is refused in every form; so are code points past U+10FFFF.
  if (code <= 0 || code > 0x10ffff) return undefined
  return [String.fromCodePoint(code), len]
}

/** Splits one raw value into items, or undefined when Quadlet would drop the whole value. */
export function splitValue(value: string, mode: SplitMode): string[] | undefined {
  const items: string[] = []
  const unescape = mode === 'args'
  let i = 0
  for (;;) {
    while (i < value.length && BLANK.has(value[i]!)) i++
    if (i >= value.length) return items
    let word = ''
    let quote: string | undefined
    while (i < value.length) {
      const c = value[i]!
      if (c === '\\' && unescape) {
        if (i + 1 >= value.length) {
          i++ // trailing backslash: eaten (relaxed mode)
          break
        }
        const decoded = unescapeAt(value, i + 1)
        if (!decoded) return undefined
        word += decoded[0]
        i += 1 + decoded[1]
      } else if (quote) {
        if (c === quote) quote = undefined
        else word += c
        i++
      } else if (c === '"' || c === "'") {
        quote = c
        i++
      } else if (BLANK.has(c)) {
        break
      } else {
        word += c
        i++
      }
    }
    if (quote && !unescape) return undefined // unbalanced quote; only the relaxed mode tolerates it
    if (word === '') return items
    items.push(word)
  }
}

/**
 * A scalar as Quadlet's Lookup() returns it: trailing blanks removed, then one pair of surrounding double quotes
 * (podman main since 2026-03, commit cf6404f387; podman 5.x strips every leading and trailing `"` instead).
 */
export function quadletScalar(value: string): string {
  let v = value
  while (v !== '' && GO_SPACE.test(v[v.length - 1]!)) v = v.slice(0, -1)
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v
}

/**
 * One item written so that splitValue gives it back whole: quoted when it holds blanks
 * or quotes. In 'words' mode a backslash is literal, so an item holding both kinds of
 * quote cannot be written (callers refuse such values earlier).
 */
export function quoteItem(item: string, mode: SplitMode): string {
  const plain = !/[\s\u0085"']/.test(item) && (mode === 'words' || !item.includes('\\'))
  if (plain && item !== '') return item
  if (mode === 'args') return `"${item.replace(/[\\"]/g, (c) => `\\${c}`)}"`
  if (!item.includes('"')) return `"${item}"`
  if (!item.includes("'")) return `'${item}'`
  throw new Error(`${item} holds both kinds of quote and cannot be one word`)
}
