// Image-shaped trees for inspect tests: rendered by qm-stage and extended by hand, written as a tar.
import { writeFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import { inspect, type InspectOptions } from '../../src/inspect/inspect.ts'
import type { Report } from '../../src/inspect/report.ts'
import { UPSTREAM_QM_CONTAINER } from '../../src/qm/qm-container.ts'
import { QM } from '../../src/qm/paths.ts'
import { treeToTar } from '../../src/tree/export.ts'
import { createDir, createFile, createSymlink, getNode, removePath, type Tree } from '../../src/tree/vtree.ts'
import { writeUnit } from '../../src/units/write.ts'
import { withScratch } from './scratch.ts'

/** Root-owned directory and file metadata, as an OS tree has them. */
export const DIR = { mode: 0o755, uid: 0, gid: 0 }
export const FILE = { mode: 0o644, uid: 0, gid: 0 }

/** Write `content` at `path`, making parents; an existing file is replaced. */
export function put(tree: Tree, path: string, content: string, mode = 0o644): void {
  let at = ''
  for (const part of posix.dirname(path).split('/').filter(Boolean)) {
    at += `/${part}`
    if (!getNode(tree, at)) createDir(tree, at, DIR)
  }
  if (getNode(tree, path)) removePath(tree, path)
  createFile(tree, path, Buffer.from(content), { mode, uid: 0, gid: 0 })
}

export function link(tree: Tree, path: string, target: string): void {
  if (!getNode(tree, posix.dirname(path))) put(tree, `${posix.dirname(path)}/.keep`, '')
  createSymlink(tree, path, target)
}

/** What the qm rpm adds to a host (qm.container as upstream ships it, the policy package) and an image-mode mark. */
export function asInstalledByRpm(tree: Tree, { imageMode = true } = {}): Tree {
  put(tree, QM.quadlet, writeUnit(UPSTREAM_QM_CONTAINER))
  put(tree, QM.selinuxModule, 'BZh9')
  put(tree, '/etc/selinux/targeted/active/modules/200/qm/cil', '(qm)')
  if (imageMode) put(tree, '/usr/lib/ostree/prepare-root.conf', '[composefs]\n')
  return tree
}

/** The tree as a tar file in `dir` (a scratch directory of the caller's suite). */
export async function tarFile(tree: Tree, dir: string, name = 'image.tar'): Promise<string> {
  const file = join(dir, name)
  writeFileSync(file, await treeToTar(tree))
  return file
}

/** inspect's report of the tree, written as a tar as osbuild exports it; the tar is removed afterwards. */
export function inspectTar(tree: Tree, options?: InspectOptions): Promise<Report> {
  return withScratch('inspect', async (dir) => inspect(await tarFile(tree, dir), options))
}
