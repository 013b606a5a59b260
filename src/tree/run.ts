import type { Json } from '../manifest/types.ts'
import { isFsError, type Tree } from './vtree.ts'

/** What a stage emulation sees: the pipeline's tree, its materialised inputs, and how to report. */
export interface StageRun {
  readonly pipeline: string
  readonly tree: Tree
  /** Input name -> the directory osbuild would mount for it. */
  readonly inputs: ReadonlyMap<string, Tree>
  /** True when an earlier stage (or an input's pipeline) was left unmaterialised. */
  readonly partial: boolean
  note(message: string): void
  /**
   * Run one item of a stage. A missing path fails the stage like osbuild does, except in a
   * partial pipeline: there the path may come from what was not materialised, so the item is
   * skipped with a note instead.
   */
  item(what: string, fn: () => void): void
}

export type StageOptions = Record<string, Json>
export type StageFn = (options: StageOptions, run: StageRun) => void

/** A required option (osbuild's schema makes it so; the stage would die with a KeyError). */
export function required<T>(options: StageOptions, key: string): T {
  if (options[key] === undefined) throw new Error(`option "${key}" is missing`)
  return options[key] as unknown as T
}

/** An error message for one item, `mkdir /a: file exists`, naming the failing path only when the item does not. */
export function itemError(what: string, e: unknown): Error {
  if (isFsError(e) && what.includes(e.path)) return new Error(`${what}: ${e.reason}`)
  return new Error(`${what}: ${e instanceof Error ? e.message : String(e)}`)
}

/** StageRun.item: the try/catch that turns an item failure into a stage error or, in a partial pipeline, a note. */
export function runItem(run: Pick<StageRun, 'partial' | 'note' | 'pipeline'>, what: string, fn: () => void): void {
  try {
    fn()
  } catch (e) {
    if (run.partial && isFsError(e, 'ENOENT')) {
      run.note(`${run.pipeline}: skipped ${itemError(what, e).message} (the tree is partial)`)
      return
    }
    throw itemError(what, e)
  }
}
