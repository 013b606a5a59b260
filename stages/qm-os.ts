import { filesInput, inlineSource, treeInput } from '../src/manifest/inline.ts'
import { mkdirStage } from '../src/manifest/fragment.ts'
import type { Fragment, Input, Json, Stage } from '../src/manifest/types.ts'
import type { Repo } from '../src/config/types.ts'

/** Where the QM's operating system comes from. */
export type OsSource =
  | {
      kind: 'depsolve'
      packages: string[]
      excludes: string[]
      repos: Repo[]
      /** osbuild-mpp variables of the importing manifest holding more repos */
      reposFrom: string[]
      architecture: string
      modulePlatformId: string
      releasever?: string
      gpgkeys: string[]
    }
  | { kind: 'rpms'; rpms: { url: string; sha256: string }[]; gpgkeys: string[] }
  | { kind: 'tarball'; content: Uint8Array }
  | { kind: 'tarball'; url: string; sha256: string }
  | { kind: 'pipeline'; pipeline: string }

/**
 * The QM tree's OS: an rpm stage (resolved by osbuild-mpp, or pinned rpms), an unpacked
 * tarball, or a copy of an existing pipeline. Ends with /etc and /var present, which
 * the host copies to /etc/qm and /var/qm.
 */
export function generate(source: OsSource): Fragment {
  const { stages, sources } = osStages(source)
  return { stages: [...stages, mkdirStage(['/etc', '/var'])], sources }
}

function osStages(source: OsSource): Fragment {
  switch (source.kind) {
    case 'depsolve':
      return { stages: [rpmStage(source.gpgkeys, { ...filesInput([]), references: {}, 'mpp-depsolve': depsolve(source) })], sources: {} }
    case 'rpms': {
      const refs = source.rpms.map((r) => `sha256:${r.sha256.replace(/^sha256:/, '')}`)
      // with keys given, every package's signature is checked
      const metadata: Record<string, Json> = source.gpgkeys.length > 0 ? { metadata: { 'rpm.check_gpg': true } } : {}
      const references = Object.fromEntries(refs.map((ref) => [ref, metadata]))
      const items = Object.fromEntries(refs.map((ref, i) => [ref, { url: source.rpms[i]!.url }]))
      return {
        stages: [rpmStage(source.gpgkeys, { type: 'org.osbuild.files', origin: 'org.osbuild.source', references })],
        sources: { 'org.osbuild.curl': { items } },
      }
    }
    case 'tarball': {
      const file = 'content' in source ? inlineSource(source.content) : undefined
      const ref = file?.ref ?? `sha256:${(source as { sha256: string }).sha256.replace(/^sha256:/, '')}`
      const sources = file?.sources ?? { 'org.osbuild.curl': { items: { [ref]: { url: (source as { url: string }).url } } } }
      return { stages: [{ type: 'org.osbuild.untar', inputs: { file: filesInput([ref]) }, options: {} }], sources }
    }
    case 'pipeline':
      return {
        stages: [{ type: 'org.osbuild.copy', inputs: { os: treeInput(source.pipeline) }, options: { paths: [{ from: 'input://os/', to: 'tree:///' }] } }],
        sources: {},
      }
  }
}

function rpmStage(gpgkeys: string[], packages: Input): Stage {
  // QM has no kernel of its own: no initramfs to build
  const options: Record<string, Json> = { disable_dracut: true }
  if (gpgkeys.length > 0) options.gpgkeys = gpgkeys
  return { type: 'org.osbuild.rpm', options, inputs: { packages } }
}

/** The osbuild-mpp depsolve request; repos of the importing manifest are read from its variables. */
function depsolve(s: Extract<OsSource, { kind: 'depsolve' }>): Json {
  const own: Json[] = s.repos.map((r) => ({ ...r }))
  // globals() is osbuild-mpp's variable table: a missing variable counts as no repos, and
  // a repo listed in several variables (same id) is used once
  const vars = s.reposFrom.map((v) => `'${v}'`).join(', ')
  const inherited = `list({r['id']: r for v in [${vars}] for r in globals().get(v, [])}.values())`
  const repos: Json = s.reposFrom.length === 0 ? own : { 'mpp-join': [own, { 'mpp-eval': inherited }] }
  const request: Record<string, Json> = {
    architecture: s.architecture,
    'module-platform-id': s.modulePlatformId,
    'ignore-weak-deps': true,
    repos,
    packages: s.packages,
  }
  if (s.releasever) request.releasever = s.releasever
  if (s.excludes.length > 0) request.excludes = s.excludes
  return request
}
