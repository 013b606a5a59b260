// Render a config, run it on memfs, and look at the result the way a built image would be looked at.
import { parse as parseToml } from 'smol-toml'
import { render, type RenderOptions } from '../../src/render/render.ts'
import type { Options as ContentOptions } from '../../stages/qm-content.ts'
import { QM } from '../../src/qm/paths.ts'
import { UPSTREAM_QM_CONTAINER } from '../../src/qm/qm-container.ts'
import { readSeed } from '../../src/tree/export.ts'
import { runPlan } from '../../src/tree/qm-tree.ts'
import { getNode, listDir, readFile, walk, type Tree } from '../../src/tree/vtree.ts'
import { mergeUnits, type EffectiveUnit } from '../../src/units/merge.ts'
import { parseUnit } from '../../src/units/parse.ts'
import { findQuadletFiles } from '../../src/units/unit-dirs.ts'
import { writeUnit } from '../../src/units/write.ts'
import { formatError } from '../../src/errors.ts'

export const TINY_ROOTFS = 'examples/rootfs/tiny-rootfs.tar'
let seed: Promise<Tree> | undefined
/** The tiny stand-in OS of examples/rootfs, as a seed (read once). */
export const tinySeed = () => (seed ??= readSeed(TINY_ROOTFS))

/** Render `text`, failing the test with the errors if there are any. */
export function rendered(text: string, options: RenderOptions = {}) {
  const result = render(Buffer.from(text), { file: 'qm.yaml', ...options })
  if (!result.output) throw new Error(`render failed:\n${result.errors.map(formatError).join('\n')}`)
  return result
}

/** Render `text` and run it: the host overlay, the QM tree and the notes. */
export function built(text: string, options: { seed?: Tree; file?: string } = {}) {
  const result = rendered(text, { format: 'stages', ...(options.file ? { file: options.file } : {}) })
  const run = runPlan(result.plan!, options.seed)
  return { ...run, qm: run.trees.get(result.config!.pipeline)!, plan: result.plan!, config: result.config! }
}

const exists = (tree: Tree, path: string) => {
  try {
    return getNode(tree, path) !== undefined
  } catch {
    return false
  }
}

export const has = exists
export const text = (tree: Tree, path: string) => readFile(tree, path).toString('utf8')
export const mode = (tree: Tree, path: string) => walk(tree).find((e) => e.path === path)?.mode.toString(8)
// plain objects: smol-toml builds prototype-less ones, which deep-equal tells apart
export const toml = (tree: Tree, path: string) => JSON.parse(JSON.stringify(parseToml(text(tree, path)))) as Record<string, Record<string, unknown>>
export const entryAt = (tree: Tree, path: string) => walk(tree).find((e) => e.path === path)

/**
 * qm.container after every drop-in in the tree, found and ordered as Quadlet does. With
 * host_files: rpm the tree has no qm.container: the rpm's (upstream) one stands in.
 */
export function effectiveQm(host: Tree): EffectiveUnit & { dropins: string[] } {
  const list = (dir: string) => (exists(host, dir) && getNode(host, dir)!.type === 'dir' ? listDir(host, dir) : undefined)
  const found = findQuadletFiles('qm.container', list)
  const base = found.unit ? text(host, found.unit) : writeUnit(UPSTREAM_QM_CONTAINER)
  const files = [parseUnit(base, found.unit ?? QM.quadlet), ...found.dropins.map((d) => parseUnit(text(host, d), d))]
  return Object.assign(mergeUnits(files), { dropins: found.dropins })
}

/** A Quadlet or agent file in the tree, merged alone. */
export const unitOf = (tree: Tree, path: string) => mergeUnits([parseUnit(text(tree, path), path)])

/** qm-content options that need each of its five stages once (mkdir, copy, ln, chown, chmod). */
export const EVERY_CONTENT_STAGE: ContentOptions = {
  makeDirs: [{ path: '/var/x', mode: 0o700, parents: true, exist_ok: false }],
  files: [{ path: '/etc/x', content: 'x' }],
  addSymlinks: [{ link: '/etc/y', target: 'x' }],
  chownFiles: [{ path: '/etc/x', user: 'root', group: 0, recursive: false }],
  chmodFiles: [{ path: '/etc/x', mode: 'u+x', recursive: false }],
}
export const CONTENT_STAGE_ORDER = ['org.osbuild.mkdir', 'org.osbuild.copy', 'org.osbuild.ln', 'org.osbuild.chown', 'org.osbuild.chmod']
