/**
 * UTF-8 byte order, the order Go and the C library sort names in (Quadlet, tar, readdir sorting).
 * JavaScript's order of UTF-16 units agrees until a surrogate or U+E000 and above, so only then
 * are bytes compared.
 */
export function byteOrder(a: string, b: string): number {
  for (let i = 0, n = Math.min(a.length, b.length); i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    if (x >= 0xd800 || y >= 0xd800) return Buffer.compare(Buffer.from(a), Buffer.from(b))
    return x - y
  }
  return a.length - b.length
}
