/** Where config paths may point inside the QM tree (automotive-image-builder's rules). */

export const FILE_ROOTS = ['/etc/', '/usr/'] as const
export const DIR_ROOTS = ['/etc/', '/usr/', '/var/'] as const
/** Host directories qm-stage creates at boot (tmpfiles.d): what the image itself cannot hold. */
export const HOST_DIR_ROOTS = ['/run/', '/var/'] as const
const FORBIDDEN_ROOTS = ['/usr/local/']

/** Why `path` is not an absolute, normalised path under one of `roots`, or undefined if it is. */
export function pathProblem(path: string, roots: readonly string[]): string | undefined {
  if (!path.startsWith('/')) return 'must be an absolute path'
  if (/[\n\r\0]/.test(path)) return 'must not contain a newline, carriage return or NUL'
  if (path.split('/').some((part, i) => (part === '' && i > 0) || part === '.' || part === '..')) {
    return 'must be normalised: no "..", "." or empty segments, no trailing "/"'
  }
  if (!roots.some((root) => path.startsWith(root))) return `must be under ${roots.join(', ')}`
  const forbidden = FORBIDDEN_ROOTS.find((root) => path.startsWith(root) || `${path}/` === root)
  if (forbidden) return `must not be under ${forbidden}`
  return undefined
}

