import { isMap, isNode, type Document, type LineCounter } from 'yaml'
import type { Where } from '../errors.ts'

/** A JSON Pointer (ajv's instancePath) as yaml path segments. */
function pointerPath(pointer: string): (string | number)[] {
  if (pointer === '') return []
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s))
}

/**
 * The 1-based line:col of `pointer` in the YAML document: the value node, or its key
 * when `atKey` (an unknown key is pointed at, not its value), or else the closest
 * existing parent node.
 */
export function locate(doc: Document, lc: LineCounter, file: string, pointer: string, atKey = false): Where {
  const path = pointerPath(pointer)
  if (atKey && path.length > 0) {
    const parent = doc.getIn(path.slice(0, -1), true)
    const last = path.at(-1)
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isNode(p.key) && (p.key as { value?: unknown }).value === last)
      const range = pair && isNode(pair.key) ? pair.key.range : undefined
      if (range) return { file, ...lc.linePos(range[0]) }
    }
  }
  for (; path.length > 0; path.pop()) {
    const node = doc.getIn(path, true)
    if (isNode(node) && node.range) return { file, ...lc.linePos(node.range[0]) }
  }
  const root = doc.contents
  if (isNode(root) && root.range) return { file, ...lc.linePos(root.range[0]) }
  return { file, line: 1, col: 1 }
}
