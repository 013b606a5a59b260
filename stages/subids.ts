import { placeFiles, type FileSpec } from '../src/manifest/files.ts'
import type { Fragment } from '../src/manifest/types.ts'
import { IN_QM } from '../src/qm/paths.ts'

/**
 * /etc/subuid and /etc/subgid with the same lines: the id ranges nested containers map
 * to. Used for the QM tree and for the host. The files are written whole, as osbuild can.
 */
export function files({ lines }: { lines: readonly string[] }): FileSpec[] {
  if (lines.length === 0) return []
  const content = `${lines.join('\n')}\n`
  return [
    { path: IN_QM.subuid, content },
    { path: IN_QM.subgid, content },
  ]
}

export const generate = (o: { lines: readonly string[] }): Fragment => placeFiles(files(o))
