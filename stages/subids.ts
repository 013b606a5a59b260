import { placeFiles } from '../src/manifest/files.ts'
import type { Fragment } from '../src/manifest/types.ts'
import { IN_QM } from '../src/qm/paths.ts'

/**
 * /etc/subuid and /etc/subgid with the same lines: the id ranges nested containers map
 * to. Used for the QM tree and for the host. The files are written whole, as osbuild can.
 */
export function generate({ lines }: { lines: readonly string[] }): Fragment {
  if (lines.length === 0) return { stages: [], sources: {} }
  const content = `${lines.join('\n')}\n`
  return placeFiles([
    { path: IN_QM.subuid, content },
    { path: IN_QM.subgid, content },
  ])
}
