// What an input is, told by its first bytes: a file's name says nothing reliable.

/** Bytes to look at before deciding. */
export const MAGIC_BYTES = 8

/** Magic numbers of compressions not read here, so the error can say what the input is. */
const OTHER_COMPRESSION: [string, number[]][] = [
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['lz4', [0x04, 0x22, 0x4d, 0x18]],
  ['compress (.Z)', [0x1f, 0x9d]],
]

const startsWith = (b: Uint8Array, at: number, magic: number[]) => magic.every((byte, i) => b[at + i] === byte)

export const isGzip = (head: Uint8Array): boolean => startsWith(head, 0, [0x1f, 0x8b])

/**
 * Why the first block is not a tar header. Only asked once the checksum has failed, since a tar whose first
 * member is named 'BZh...' is still a tar.
 */
export function notTar(b: Uint8Array, at: number, length = 512): string {
  for (const [name, magic] of OTHER_COMPRESSION) {
    if (length >= magic.length && startsWith(b, at, magic)) return `${name}-compressed input is not supported; decompress it first`
  }
  if (length < 512) return `not a tar archive (${length} bytes, shorter than one header)`
  return 'not a tar archive (the first block is not a valid tar header)'
}
