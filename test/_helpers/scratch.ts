// Scratch directories for tests. Every test that writes to disk takes its directories from here, so a test
// run leaves nothing behind in the system's temporary directory: a suite removes its own in its after hook
// (`scratchFor`), a single use removes its directory in a finally (`withScratch`), and whatever is still there
// when the test process ends (a suite that stopped early) is removed then.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'uvu'

const live = new Set<string>()
process.on('exit', () => {
  for (const dir of live) rmSync(dir, { recursive: true, force: true })
})

/** A new empty directory `qm-PREFIX-XXXXXX` in the system's temporary directory; remove it with `removeScratch`. */
export function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `qm-${prefix}-`))
  live.add(dir)
  return dir
}

export function removeScratch(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  live.delete(dir)
}

/** A maker of scratch directories for one suite: all it made are removed when the suite ends, pass or fail. */
export function scratchFor(suite: Test, prefix: string): () => string {
  const made: string[] = []
  suite.after(() => {
    for (const dir of made.splice(0)) removeScratch(dir)
  })
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
