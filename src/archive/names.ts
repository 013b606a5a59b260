// Member names as stored are relative, absolute, './'-prefixed or worse; the index wants one spelling per path.

/**
 * The absolute, normalised path for a member name: leading '/' and './' dropped, '//' collapsed, '.' removed.
 * A name with any '..' component is refused, not resolved: GNU tar extracts 'a/b/../c' as 'c' (it strips up to
 * the last '..'), a lexical resolver gives 'a/c', and either is wrong when 'a/b' is a symlink. Refusing it keeps
 * every indexed path inside the tree whatever the extractor.
 */
export function normaliseName(raw: string): string | { refused: string } {
  // The common 'usr/lib/x', './usr/lib/x' or 'usr/lib/' needs only its ends trimmed.
  const start = raw.charCodeAt(0) === 0x2e && raw.charCodeAt(1) === 0x2f ? 2 : 0
  const end = raw.length > start + 1 && raw.charCodeAt(raw.length - 1) === 0x2f ? raw.length - 1 : raw.length
  if (isPlain(raw, start, end)) return '/' + raw.slice(start, end)

  if (raw === '') return { refused: 'empty member name' }
  if (raw.includes('\0')) return { refused: 'member name contains a NUL byte' }
  const parts: string[] = []
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') return { refused: "member name contains '..'" }
    parts.push(part)
  }
  return '/' + parts.join('/')
}

/** `raw[start..end)` is not empty and has no empty, '.' or '..' component and no NUL: one scan, no allocation. */
function isPlain(raw: string, start: number, end: number): boolean {
  if (start >= end) return false
  let component = start
  for (let i = start; i <= end; i++) {
    const c = i < end ? raw.charCodeAt(i) : 0x2f
    if (c === 0) return false
    if (c !== 0x2f) continue
    const len = i - component
    if (len === 0) return false
    if (raw.charCodeAt(component) === 0x2e && (len === 1 || (len === 2 && raw.charCodeAt(component + 1) === 0x2e))) return false
    component = i + 1
  }
  return true
}
