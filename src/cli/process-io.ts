import { fstatSync } from 'node:fs'
import type { Io } from './io.ts'

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
    isTTY: Boolean(process.stdout.isTTY),
  }
}
