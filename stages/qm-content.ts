import { posix } from 'node:path'
import type { Content } from '../src/config/types.ts'
import { placeFiles, type FileSpec } from '../src/manifest/files.ts'
import type { Fragment, Json, Stage } from '../src/manifest/types.ts'

export interface Options {
  make_dirs: Content['make_dirs']
  /** add_files with local files and globs already read */
  files: FileSpec[]
  add_symlinks: Content['add_symlinks']
  chown_files: Content['chown_files']
  chmod_files: Content['chmod_files']
}

/**
 * The user's own content for the QM tree, in automotive-image-builder's order:
 * directories, files, symlinks, owners, modes. Parents of files and links are created.
 */
export function generate(o: Options): Fragment {
  const files = placeFiles(o.files)
  const [fileDirs, ...fileStages] = files.stages
  const dirs: Json[] = [
    ...o.make_dirs.map(({ path, mode, parents, exist_ok }) => ({ path, ...(mode === undefined ? {} : { mode }), parents, exist_ok })),
    ...((fileDirs?.options?.paths as Json[] | undefined) ?? []),
    ...o.add_symlinks.map((l) => ({ path: posix.dirname(l.link), parents: true, exist_ok: true })),
  ]
  const stages: Stage[] = []
  if (dirs.length > 0) stages.push({ type: 'org.osbuild.mkdir', options: { paths: dirs } })
  stages.push(...fileStages)
  if (o.add_symlinks.length > 0) {
    const paths = o.add_symlinks.map((l) => ({ target: l.target, link_name: `tree://${l.link}`, symbolic: true }))
    stages.push({ type: 'org.osbuild.ln', options: { paths } })
  }
  if (o.chown_files.length > 0) {
    const items = Object.fromEntries(
      o.chown_files.map(({ path, user, group, recursive }) => [path, { ...(user === undefined ? {} : { user }), ...(group === undefined ? {} : { group }), recursive }]),
    )
    stages.push({ type: 'org.osbuild.chown', options: { items } })
  }
  if (o.chmod_files.length > 0) {
    stages.push({ type: 'org.osbuild.chmod', options: { items: Object.fromEntries(o.chmod_files.map(({ path, mode, recursive }) => [path, { mode, recursive }])) } })
  }
  return { stages, sources: files.sources }
}
