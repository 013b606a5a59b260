// Small builders for tree tests: inline sources, stage literals, and a look at the result.
import { inlineSource } from '../../src/manifest/inline.ts'
import type { Json, Pipeline, Sources, Stage } from '../../src/manifest/types.ts'
import { executeManifest, type ExecuteOptions, type ExecuteResult } from '../../src/tree/execute.ts'
import { readFile, walk, type Entry, type Tree } from '../../src/tree/vtree.ts'

/** A manifest under construction: `file()` adds an inline source and returns its reference. */
export function manifest() {
  const sources: Sources = { 'org.osbuild.inline': { items: {} } }
  return {
    sources,
    file(content: string): string {
      const { ref, sources: s } = inlineSource(content)
      Object.assign(sources['org.osbuild.inline']!.items, s['org.osbuild.inline']!.items)
      return ref
    },
    run(pipelines: Pipeline[], options?: ExecuteOptions): ExecuteResult {
      return executeManifest({ pipelines, sources }, options)
    },
  }
}

/** Run one pipeline named `t` and return its tree. */
export function runStages(m: ReturnType<typeof manifest>, stages: Stage[], options?: ExecuteOptions): Tree {
  return m.run([{ name: 't', stages }], options).trees.get('t')!
}

export const mkdir = (...paths: Json[]): Stage => ({ type: 'org.osbuild.mkdir', options: { paths } })

/** A copy whose input `i` holds `refs`, with items `[from, to, remove_destination?]`; `@ref` in from means the input file. */
export function copy(refs: string[], ...items: [string, string, boolean?][]): Stage {
  const paths: Json[] = items.map(([from, to, rm]) => ({
    from: from.startsWith('sha256:') ? `input://i/${from}` : from,
    to,
    ...(rm === undefined ? {} : { remove_destination: rm }),
  }))
  const stage: Stage = { type: 'org.osbuild.copy', options: { paths } }
  if (refs.length > 0) stage.inputs = { i: { type: 'org.osbuild.files', origin: 'org.osbuild.source', references: refs } }
  return stage
}

export const ln = (target: string, link: string, symbolic = true): Stage => ({
  type: 'org.osbuild.ln',
  options: { paths: [{ target, link_name: `tree://${link}`, symbolic }] },
})

export const chmod = (items: Record<string, { mode: string; recursive?: boolean }>): Stage => ({ type: 'org.osbuild.chmod', options: { items } })

/** The walk entry at `path`, without the noise of a missing optional field. */
export function at(tree: Tree, path: string): Entry | undefined {
  return walk(tree).find((e) => e.path === path)
}

export const text = (tree: Tree, path: string): string => readFile(tree, path).toString('utf8')

export const paths = (tree: Tree, under = '/'): string[] => walk(tree, under).map((e) => e.path)

/** `mode` as the octal string chmod would print. */
export const octal = (tree: Tree, path: string): string | undefined => at(tree, path)?.mode.toString(8)
