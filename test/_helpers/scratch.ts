// Scratch directories for tests. Every test that writes to disk takes its directories from here, so a test
// run leaves nothing behind in the system's temporary directory: a suite removes its own in its after hook
// (`scratchFor`), a single use removes its directory in a finally (`withScratch`), and whatever is still there
// when the test process ends (a suite that stopped early) is removed then.
import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'uvu'

const live = new Set<string>()
process.on('exit', () => {
  for (const dir of live) removeScratch(dir)
})

/** A new empty directory `qm-PREFIX-XXXXXX` in the system's temporary directory; remove it with `removeScratch`. */
export function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `qm-${prefix}-`))
  live.add(dir)
  return dir
}

/** Remove a scratch directory, read-only directories in it included (tests may run unprivileged). */
export function removeScratch(dir: string): void {
  const open = (p: string): void => {
    if (!lstatSync(p, { throwIfNoEntry: false })?.isDirectory()) return
    chmodSync(p, 0o700)
    for (const name of readdirSync(p)) open(join(p, name))
  }
  open(dir)
  rmSync(dir, { recursive: true, force: true })
  live.delete(dir)
}

/**
 * A maker of scratch directories for a suite (or the suites of one file): what it made is removed when the suite
 * ends, pass or fail (with several suites, when each ends: a directory does not outlive the suite that made it).
 */
export function scratchFor(suites: Test | Test[], prefix: string): () => string {
  const made: string[] = []
  for (const suite of Array.isArray(suites) ? suites : [suites]) {
    suite.after(() => {
      for (const dir of made.splice(0)) removeScratch(dir)
    })
  }
  return () => {
    const dir = scratch(prefix)
    made.push(dir)
    return dir
  }
}

/** `body` with a fresh scratch directory, removed after it, pass or fail. */
export async function withScratch<T>(prefix: string, body: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = scratch(prefix)
  try {
    return await body(dir)
  } finally {
    removeScratch(dir)
  }
}
