import { basename, posix } from 'node:path'
import type { FileSpec, Origin } from '../manifest/files.ts'
import type { Check } from './messages.ts'
import { globFiles, globProblem } from './glob.ts'
import { readSource, type SourceContext } from './source-root.ts'
import type { FileSource, QmConfig } from './types.ts'

/** Each local file is embedded into the manifest (base64); bigger ones belong behind a file:// url. */
export const MAX_LOCAL_FILE = 64 * 1024 * 1024
/** All local files of one config together, so a glob over many big files cannot exhaust memory either. */
export const MAX_LOCAL_TOTAL = 256 * 1024 * 1024

/** Everything the config names by origin, with local files read. */
export interface Resolved {
  addFiles: FileSpec[]
  /** destinations of empty globs with allow_empty: created as directories */
  emptyGlobDirs: string[]
  tarball?: Uint8Array
  seccomp?: Origin
  module?: Origin
  iface?: Origin
}

/**
 * Read the local files a config names: relative to the config's directory, confined to the source root
 * (see source-root.ts), regular files only, within MAX_LOCAL_FILE each and MAX_LOCAL_TOTAL together.
 */
export function readLocalFiles(config: QmConfig, ctx: SourceContext): { resolved: Resolved; errors: Check[] } {
  const errors: Check[] = []
  let budget = MAX_LOCAL_TOTAL
  const read = (path: string, pointer: string): Uint8Array | undefined => {
    const got = budget < MAX_LOCAL_FILE ? readSource(path, ctx, budget, 'what is left of the limit for all local files together') : readSource(path, ctx, MAX_LOCAL_FILE)
    if ('code' in got) return void errors.push({ code: got.code, message: got.message, pointer })
    budget -= got.bytes.length
    return got.bytes
  }
  const origin = (source: FileSource | undefined, pointer: string, defaultPath: string): Origin | undefined => {
    if (!source) return undefined
    if (source.source_path !== undefined) {
      const content = read(source.source_path, `${pointer}/source_path`)
      return content && { content }
    }
    if (source.url !== undefined) return { url: source.url, sha256: source.sha256! }
    return { pipeline: source.pipeline!, file: source.path ?? defaultPath }
  }

  const addFiles: FileSpec[] = []
  const emptyGlobDirs: string[] = []
  config.content.add_files.forEach((f, i) => {
    const at = `/content/add_files/${i}`
    if (f.text !== undefined) addFiles.push({ path: f.path, content: f.text })
    // checks.ts refuses a url without its sha256
    else if (f.url !== undefined) addFiles.push({ path: f.path, url: f.url, sha256: f.sha256! })
    else if (f.source_path !== undefined) {
      const content = read(f.source_path, `${at}/source_path`)
      if (content) addFiles.push({ path: f.path, content })
    } else if (f.source_glob !== undefined) {
      const problem = globProblem(f.source_glob)
      if (problem) return void errors.push({ code: 'PATH_NOT_ALLOWED', message: `${f.source_glob} ${problem}`, pointer: `${at}/source_glob` })
      const matches = globFiles(ctx.base, f.source_glob, f.max_files)
      if (matches.length === 0 && f.allow_empty) emptyGlobDirs.push(f.path)
      if (matches.length === 0 && !f.allow_empty) errors.push({ code: 'FILE_READ', message: `${f.source_glob} matches no file in ${ctx.base}`, pointer: `${at}/source_glob` })
      if (matches.length > f.max_files) errors.push({ code: 'FILE_READ', message: `${f.source_glob} matches more than max_files ${f.max_files} files`, pointer: `${at}/source_glob` })
      else {
        for (const match of matches) {
          const content = read(match, `${at}/source_glob`)
          const rel = f.preserve_path ? match.split(/[\\/]/).join('/') : basename(match)
          if (content) addFiles.push({ path: posix.join(f.path, rel), content })
        }
      }
    }
  })
  const tarballPath = config.rootfs.tarball?.source_path
  const resolved: Resolved = {
    addFiles,
    emptyGlobDirs,
    ...(tarballPath === undefined ? {} : { tarball: read(tarballPath, '/rootfs/tarball/source_path') }),
    seccomp: origin(config.container.seccomp_source, '/container/seccomp_source', config.container.seccomp_profile),
    module: origin(config.selinux.module, '/selinux/module', '/usr/share/selinux/packages/qm.pp.bz2'),
    iface: origin(config.selinux.interface, '/selinux/interface', '/usr/share/selinux/devel/include/services/qm.if'),
  }
  return { resolved, errors }
}
