import { fstatSync } from 'node:fs'
import { removeTemporaries } from '../atomic.ts'
import type { Io } from './io.ts'

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const

/**
 * On SIGINT, SIGTERM or SIGHUP remove the temporary files of writes in progress (the target keeps its old
 * content), then exit as the signal would have: 128 + its number.
 */
export function removeTemporariesOnSignals(): void {
  for (const [name, number] of Object.entries(SIGNALS)) {
    process.once(name, () => {
      removeTemporaries()
      process.exit(128 + number)
    })
  }
}

/** QM_STAGE_TEST_WRITE_PAUSE_MS: pause after each chunk written, so a test can signal a write in progress. */
function writePause(): Pick<Io, 'afterWriteChunk'> {
  const ms = Number(process.env.QM_STAGE_TEST_WRITE_PAUSE_MS)
  if (!(ms > 0)) return {}
  return { afterWriteChunk: () => new Promise((ok) => setTimeout(ok, ms)) }
}

/**
 * The conventions of no-color.org and FORCE_COLOR: FORCE_COLOR (other than 0 or false) colours
 * even a pipe, NO_COLOR (any non-empty value) turns colour off, otherwise only a terminal gets it.
 */
export function colourWanted(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase())
  if (env.NO_COLOR) return false
  return isTTY
}

function stdinHasData(): boolean {
  try {
    const s = fstatSync(0)
    return s.isFIFO() || s.isFile() || s.isSocket()
  } catch {
    return false
  }
}

/** The real process as an Io: the one place that touches process.stdout, stderr and stdin. */
export function processIo(): Io {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    stdin: async (limit = Infinity) => {
      const chunks: Buffer[] = []
      let size = 0
      for await (const chunk of process.stdin) {
        chunks.push(chunk as Buffer)
        size += (chunk as Buffer).length
        // past the limit the caller only needs to know it is too much: stop reading (/dev/zero never ends)
        if (size > limit) break
      }
      return Buffer.concat(chunks)
    },
    stdinStream: () => process.stdin,
    stdinFile: () => (fstatSync(0).isFile() ? '/dev/stdin' : undefined),
    colour: colourWanted(process.env, Boolean(process.stdout.isTTY)),
    stdinHasData,
    ...writePause(),
  }
}
