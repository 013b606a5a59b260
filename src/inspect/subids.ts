import { QM } from '../qm/paths.ts'
import type { Report } from './report.ts'
import type { TreeView } from './view.ts'

/** The name podman inside QM takes nested containers' id ranges from (`--userns=auto`), as upstream sets it. */
export const NESTED_RANGE_OWNER = 'containers'

/** /etc/subuid and /etc/subgid of the host and of QM (its /etc is /etc/qm), line by line. */
export function subidsModel(host: TreeView): Report['subids'] {
  const file = (path: string) => {
    const text = host.text(path)
    return { path, present: text !== undefined, lines: (text ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')) }
  }
  return { host: [file('/etc/subuid'), file('/etc/subgid')], qm: [file(`${QM.etc}/subuid`), file(`${QM.etc}/subgid`)] }
}

/** [first, count] of the first line for `name`. */
export function rangeOf(lines: readonly string[], name: string): [number, number] | undefined {
  const line = lines.find((l) => l.startsWith(`${name}:`))
  const [, first, count] = line?.split(':') ?? []
  return first !== undefined && count !== undefined ? [Number(first), Number(count)] : undefined
}

/** Whether some line's range holds all of [first, first + count). */
export function reserved(lines: readonly string[], [first, count]: [number, number]): boolean {
  return lines.some((l) => {
    const [, f, c] = l.split(':')
    return f !== undefined && c !== undefined && Number(f) <= first && first + count <= Number(f) + Number(c)
  })
}
