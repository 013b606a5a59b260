// The paths qm-stage generates in the QM tree, read from the stages plan() emits for its own keys.
import type { Json, Stage } from '../manifest/types.ts'
import type { QmPart } from './plan.ts'

export interface Generated {
  path: string
  /** JSON Pointer of the config key that generates it */
  key: string
  /** 'tree': a directory qm-stage fills (an image store); everything below it is generated too */
  kind: 'file' | 'tree'
  /** the file's text when it is placed inline */
  text?: string
}

const treePath = (to: unknown) => (typeof to === 'string' && to.startsWith('tree://') ? to.slice('tree://'.length) : undefined)

export function generatedPaths(parts: readonly QmPart[]): Generated[] {
  const out: Generated[] = []
  for (const { key, fragment } of parts) {
    const inline = (fragment.sources['org.osbuild.inline']?.items ?? {}) as Record<string, { data?: string }>
    for (const stage of fragment.stages as Stage[]) {
      const o = (stage.options ?? {}) as Record<string, Json>
      if (stage.type === 'org.osbuild.copy') {
        for (const p of (o.paths ?? []) as { from?: unknown; to?: unknown }[]) {
          const path = treePath(p.to)
          if (!path) continue
          const ref = typeof p.from === 'string' ? p.from.replace(/^input:\/\/files\//, '') : ''
          const data = inline[ref]?.data
          out.push({ path, key, kind: 'file', ...(data === undefined ? {} : { text: Buffer.from(data, 'base64').toString('utf8') }) })
        }
      } else if (stage.type === 'org.osbuild.containers.storage.conf' && typeof o.filename === 'string') {
        out.push({ path: o.filename, key, kind: 'file' })
      } else if (stage.type === 'org.osbuild.skopeo') {
        const store = (o.destination as { 'storage-path'?: unknown } | undefined)?.['storage-path']
        if (typeof store === 'string') out.push({ path: store, key, kind: 'tree' })
      }
    }
  }
  return out
}
