// Merging the AIB fragment into a user's .aib.yml with the yaml library's Document API, so the
// user's comments, key order and formatting choices survive. Every node qm-stage writes
// carries the comment `# qm-stage`: that is how a later run tells its own entries (updated
// or removed) from the user's (never overwritten: a different value is a CONFLICT).
import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml'
import { QmError, sortErrors, type Where } from '../errors.ts'
import { identityOf, type AibEntry, type AibValue } from './aib.ts'

/** The comment on every node qm-stage wrote. */
export const MARK = 'qm-stage'

const HEADER = [
  ' automotive-image-builder manifest content rendered by qm-stage: build it with `aib build`,',
  ' or merge it into a manifest with `qm-stage render --format aib --into FILE.aib.yml`.',
  ' Entries marked qm-stage are rewritten by the next --into; the rest is yours.',
].join('\n')

export interface Target {
  /** the manifest's text; undefined for a new file */
  text?: string
  file: string
  /** the manifest's name when it has none (AIB requires one) */
  name: string
}

/** The manifest with the entries merged in, or the conflicts; the same input gives the same bytes. */
export function mergeAib(target: Target, entries: readonly AibEntry[]): { text?: string; errors: QmError[] } {
  const lc = new LineCounter()
  const doc = target.text === undefined ? new Document(null, { version: '1.1' }) : parseDocument(target.text, { version: '1.1', lineCounter: lc, prettyErrors: true, uniqueKeys: true })
  const at = (node: Node | Pair | undefined): Where => {
    const range = node && 'range' in node ? node.range : undefined
    return range && target.text !== undefined ? { file: target.file, ...lc.linePos(range[0]) } : { file: target.file, line: 1, col: 1 }
  }
  if (doc.errors.length > 0) {
    return { errors: doc.errors.map((e) => new QmError('YAML_SYNTAX', e.message, '', { file: target.file, line: e.linePos?.[0].line ?? 1, col: e.linePos?.[0].col ?? 1 })) }
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    doc.contents = doc.createNode({}) as YAMLMap
    if (target.text === undefined) doc.commentBefore = HEADER
  }
  if (!isMap(doc.contents)) return { errors: [new QmError('CONFIG_INVALID', 'is not an automotive-image-builder manifest: its top level is not a mapping', '', at(doc.contents as Node))] }

  const errors: QmError[] = []
  const touched = new Set<Node>()
  const root = doc.contents as YAMLMap
  if (!root.has('name')) setMarked(doc, root, 'name', target.name, touched)

  /** The map at `path`, made where missing; undefined (and a conflict) when something else is there. */
  const mapAt = (path: string[]): YAMLMap | undefined => {
    let node: YAMLMap = root
    for (let i = 0; i < path.length; i++) {
      const next = node.get(path[i], true) as Node | undefined
      if (next === undefined || (isScalar(next) && next.value === null)) {
        const made = doc.createNode({}) as YAMLMap
        node.set(path[i], made)
        node = made
      } else if (isMap(next)) node = next
      else {
        errors.push(new QmError('CONFLICT', `is not a mapping here, so qm-stage cannot add to it`, pointer(path.slice(0, i + 1)), at(next)))
        return undefined
      }
    }
    return node
  }

  for (const entry of entries) {
    if (entry.key === undefined) {
      const parent = mapAt(entry.path.slice(0, -1))
      const name = entry.path.at(-1)!
      if (!parent) continue
      const existing = parent.get(name, true) as Node | undefined
      if (existing === undefined || (isScalar(existing) && existing.value === null)) setMarked(doc, parent, name, entry.value, touched)
      else if (isMarked(existing)) {
        if (same(existing.toJSON(), entry.value)) touched.add(existing)
        else setMarked(doc, parent, name, entry.value, touched)
      } else if (!same(existing.toJSON(), entry.value)) {
        errors.push(conflict(entry.path, existing.toJSON(), entry.value, at(existing)))
      }
      continue
    }
    const list = entry.path.at(-1)!
    const parent = mapAt(entry.path.slice(0, -1))
    if (!parent) continue
    let seq = parent.get(list, true) as Node | undefined
    if (seq === undefined || (isScalar(seq) && seq.value === null)) {
      seq = doc.createNode([]) as YAMLSeq
      parent.set(list, seq)
    }
    if (!isSeq(seq)) {
      errors.push(new QmError('CONFLICT', 'is not a list here, so qm-stage cannot add to it', pointer(entry.path), at(seq)))
      continue
    }
    const index = seq.items.findIndex((n) => identityOf(list, (n as Node).toJSON() as AibValue) === entry.key)
    const existing = seq.items[index] as Node | undefined
    // a flow list ([a, b]) cannot carry a comment per item: it becomes a block list
    if (existing === undefined) (seq.flow = false), seq.items.push(marked(doc, entry.value, touched))
    else if (isMarkedItem(existing)) {
      if (same(existing.toJSON(), entry.value)) touched.add(existing)
      else seq.items[index] = marked(doc, entry.value, touched)
    } else if (!same(existing.toJSON(), entry.value)) {
      errors.push(conflict([...entry.path, String(index)], existing.toJSON(), entry.value, at(existing)))
    }
  }
  if (errors.length > 0) return { errors: sortErrors(errors) }
  removeStale(root, touched, true)
  return { text: doc.toString({ lineWidth: 0 }), errors: [] }
}

/** A value qm-stage wrote: a scalar with `# qm-stage` (qm-stage writes only scalars as values of keys). */
const isMarked = (node: Node): boolean => isScalar(node) && node.comment?.trim() === MARK

/** A list item qm-stage wrote: a marked scalar, or a mapping whose first value (its identity: path, id, source) is marked. */
function isMarkedItem(node: Node): boolean {
  if (isMap(node)) {
    const first = node.items[0]?.value
    return isScalar(first) && isMarked(first)
  }
  return isMarked(node)
}

function marked(doc: Document, value: AibValue, touched: Set<Node>): Node {
  const node = doc.createNode(value) as Node
  if (isScalar(node)) node.comment = ` ${MARK}`
  else if (isMap(node) && isScalar(node.items[0]?.value)) (node.items[0]!.value as Node).comment = ` ${MARK}`
  else throw new Error('qm-stage marks only scalars and mappings that start with a scalar')
  // a directory mode reads as one in octal (0755), as AIB's YAML 1.1 loader takes it
  const mode = isMap(node) ? node.get('mode', true) : undefined
  if (isScalar(mode) && typeof mode.value === 'number') mode.format = 'OCT'
  touched.add(node)
  return node
}

function setMarked(doc: Document, map: YAMLMap, key: string, value: AibValue, touched: Set<Node>): void {
  map.set(key, marked(doc, value, touched))
}

/**
 * Drop what an earlier run wrote and this one did not (a nested container taken out of the
 * config), then the collections that leaves empty; `qm` itself stays, it is what turns QM on.
 */
function removeStale(node: Node, touched: Set<Node>, top = false): boolean {
  let removed = false
  if (isMap(node)) {
    node.items = node.items.filter((pair) => {
      const value = pair.value as Node | null
      if (!value) return true
      if (isMarked(value) && !touched.has(value)) return (removed = true), false
      if ((isMap(value) || isSeq(value)) && removeStale(value, touched)) {
        removed = true
        const keep = value.items.length > 0 || (top && isScalar(pair.key) && pair.key.value === 'qm')
        return keep
      }
      return true
    })
  } else if (isSeq(node)) {
    node.items = node.items.filter((item) => {
      const n = item as Node
      if (isMarkedItem(n) && !touched.has(n)) return (removed = true), false
      if ((isMap(n) || isSeq(n)) && !isMarkedItem(n)) removeStale(n, touched)
      return true
    })
  }
  return removed
}

const pointer = (path: string[]) => `/${path.join('/')}`

function conflict(path: string[], theirs: unknown, ours: AibValue, where: Where): QmError {
  const show = (v: unknown) => (typeof v === 'string' && !v.includes('\n') ? v : JSON.stringify(v).slice(0, 120))
  return new QmError(
    'CONFLICT',
    `holds ${show(theirs)}, which qm-stage did not write; its config makes it ${show(ours)}. Change one of the two so they agree, or delete this entry to let qm-stage write it`,
    pointer(path),
    where,
  )
}

/** Deep equality of JSON values, key order ignored. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}
