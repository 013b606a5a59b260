import { posix } from 'node:path'
import type { Content } from '../src/config/types.ts'
import { placeFiles, type FileSpec } from '../src/manifest/files.ts'
import type { Fragment, Json, Stage } from '../src/manifest/types.ts'

/** Option keys are camelCase like every TypeScript name; the items are config entries, spelt as in qm.yaml. */
export interface Options {
  makeDirs: Content['make_dirs']
  /** add_files with local files and globs already read */
  files: FileSpec[]
  addSymlinks: Content['add_symlinks']
  chownFiles: Content['chown_files']
  chmodFiles: Content['chmod_files']
}

/**
 * The user's own content for the QM tree, in automotive-image-builder's order:
 * directories, files, symlinks, owners, modes. Parents of files and links are created.
 */
export function generate(o: Options): Fragment {
  const files = placeFiles(o.files)
  const [fileDirs, ...fileStages] = files.stages
  const dirs: Json[] = [
    ...o.makeDirs.map(({ path, mode, parents, exist_ok }) => ({ path, ...(mode === undefined ? {} : { mode }), parents, exist_ok })),
    ...((fileDirs?.options?.paths as Json[] | undefined) ?? []),
    ...o.addSymlinks.map((l) => ({ path: posix.dirname(l.link), parents: true, exist_ok: true })),
  ]
  const stages: Stage[] = []
  if (dirs.length > 0) stages.push({ type: 'org.osbuild.mkdir', options: { paths: dirs } })
  stages.push(...fileStages)
  if (o.addSymlinks.length > 0) {
    const paths = o.addSymlinks.map((l) => ({ target: l.target, link_name: `tree://${l.link}`, symbolic: true }))
    stages.push({ type: 'org.osbuild.ln', options: { paths } })
  }
  if (o.chownFiles.length > 0) {
    const items = Object.fromEntries(
      o.chownFiles.map(({ path, user, group, recursive }) => [path, { ...(user === undefined ? {} : { user }), ...(group === undefined ? {} : { group }), recursive }]),
    )
    stages.push({ type: 'org.osbuild.chown', options: { items } })
  }
  if (o.chmodFiles.length > 0) {
    stages.push({ type: 'org.osbuild.chmod', options: { items: Object.fromEntries(o.chmodFiles.map(({ path, mode, recursive }) => [path, { mode, recursive }])) } })
  }
  return { stages, sources: files.sources }
}
