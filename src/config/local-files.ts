import { readFileSync } from 'node:fs'
import { basename, dirname, isAbsolute, join, posix } from 'node:path'
import type { FileSpec, Origin } from '../manifest/files.ts'
import type { Check } from './checks.ts'
import { globFiles } from './glob.ts'
import type { FileSource, QmConfig } from './types.ts'

/** A local rootfs tarball is embedded into the output; bigger ones belong behind a file:// url. */
const MAX_EMBEDDED_TARBALL = 64 * 1024 * 1024

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

/** Read the local files a config names, relative to the config's directory. */
export function readLocalFiles(config: QmConfig, configFile: string): { resolved: Resolved; errors: Check[] } {
  const base = dirname(configFile)
  const errors: Check[] = []
  const read = (path: string, pointer: string, limit = Infinity): Uint8Array | undefined => {
    const full = isAbsolute(path) ? path : join(base, path)
    try {
      const bytes = readFileSync(full)
      if (bytes.length > limit) {
        errors.push({ code: 'FILE_READ', message: `${full} is ${bytes.length} bytes, more than the ${limit} embedded into a manifest; serve it with url: file://… and its sha256`, pointer })
        return undefined
      }
      return bytes
    } catch (e) {
      errors.push({ code: 'FILE_READ', message: `cannot read ${full}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, pointer })
      return undefined
    }
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
    else if (f.url !== undefined) addFiles.push(f.sha256 === undefined ? { path: f.path, url: f.url } : { path: f.path, url: f.url, sha256: f.sha256 })
    else if (f.source_path !== undefined) {
      const content = read(f.source_path, `${at}/source_path`)
      if (content) addFiles.push({ path: f.path, content })
    } else if (f.source_glob !== undefined) {
      const matches = globFiles(base, f.source_glob)
      if (matches.length === 0 && f.allow_empty) emptyGlobDirs.push(f.path)
      if (matches.length === 0 && !f.allow_empty) errors.push({ code: 'FILE_READ', message: `${f.source_glob} matches no file in ${base}`, pointer: `${at}/source_glob` })
      if (matches.length > f.max_files) errors.push({ code: 'FILE_READ', message: `${f.source_glob} matches ${matches.length} files, more than max_files ${f.max_files}`, pointer: `${at}/source_glob` })
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
    ...(tarballPath === undefined ? {} : { tarball: read(tarballPath, '/rootfs/tarball/source_path', MAX_EMBEDDED_TARBALL) }),
    seccomp: origin(config.container.seccomp_source, '/container/seccomp_source', config.container.seccomp_profile),
    module: origin(config.selinux.module, '/selinux/module', '/usr/share/selinux/packages/qm.pp.bz2'),
    iface: origin(config.selinux.interface, '/selinux/interface', '/usr/share/selinux/devel/include/services/qm.if'),
  }
  return { resolved, errors }
}
