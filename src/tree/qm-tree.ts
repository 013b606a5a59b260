import { HOST_PIPELINE } from '../render/formats.ts'
import type { Plan } from '../render/plan.ts'
import { executeManifest } from './execute.ts'
import { gzipSync } from 'node:zlib'
import { outputKind, readSeed, treeToTar, writeTreeToDir, writeTreeToTar } from './export.ts'
import { createFile, getNode, walk, type Tree } from './vtree.ts'
import { QM } from '../qm/paths.ts'
import { formatMarker, NOT_MATERIALISED_MARKER } from '../qm/not-materialised.ts'

/**
 * Run a render plan: the QM pipeline(s), then the host stages on an empty tree, as the
 * manifest format's qm_host pipeline. The host tree is exactly what QM adds to an image.
 */
export function runPlan(plan: Plan, seed?: Tree, options: { consumeSeed?: boolean } = {}): { host: Tree; trees: Map<string, Tree>; notes: string[] } {
  const pipelines = [...plan.pipelines, { name: HOST_PIPELINE, stages: [...plan.hostFirstStages, ...plan.hostStages] }]
  const { trees, notes, unmaterialised } = executeManifest({ pipelines, sources: plan.sources }, seed ? { seed, ...options } : {})
  const host = trees.get(HOST_PIPELINE)!
  // the rootfs is a placeholder: say so inside it, for inspect (and a reader) to tell it from a broken QM
  if (unmaterialised.length > 0 && getNode(host, QM.rootfs)?.type === 'dir') {
    createFile(host, NOT_MATERIALISED_MARKER, Buffer.from(formatMarker(unmaterialised)), { mode: 0o644, uid: 0, gid: 0 })
  }
  return { host, trees, notes }
}

/** The tree QM adds to an image, built in memory; what the library hands out instead of memfs itself. */
export interface BuiltTree {
  /** what could not be materialised (stages that need a seed), as `qm-stage tree` prints them */
  notes: string[]
  /** every path in the tree, in the order a tar of it lists them */
  paths(): string[]
  /** the tree as a tar (gzip-compressed with `gzip`): SELinux labels as PAX xattrs, the same bytes for the same tree */
  tar(options?: { gzip?: boolean }): Promise<Uint8Array>
  /** write it to a new or empty directory, or atomically to a .tar / .tar.gz file */
  write(path: string): Promise<void>
}

/**
 * Build the tree a plan places on the host, as `qm-stage tree` does; `seed` (a directory,
 * .tar or .tar.gz) stands in for the QM's OS that rpm or untar would produce.
 */
export async function buildTree(plan: Plan, { seed }: { seed?: string } = {}): Promise<BuiltTree> {
  const { host, notes } = runPlan(plan, seed === undefined ? undefined : await readSeed(seed))
  return {
    notes,
    paths: () => walk(host).map((e) => e.path),
    tar: async ({ gzip = false } = {}) => {
      const bytes = await treeToTar(host)
      return gzip ? gzipSync(bytes, { level: 9 }) : bytes
    },
    write: async (path) => {
      const kind = outputKind(path)
      if (kind === 'dir') writeTreeToDir(host, path)
      else await writeTreeToTar(host, path, { gzip: kind === 'tar.gz' })
    },
  }
}
