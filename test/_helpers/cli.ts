// Drive the CLI in-process: main() with an Io that collects what it prints.
import { main } from '../../src/cli/main.ts'

export async function cli(argv: string[], stdin: string | Uint8Array = '') {
  let out = ''
  let err = ''
  const code = await main(argv, {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stdin: async () => Buffer.from(stdin),
    stdinStream: async function* () {
      yield Buffer.from(stdin)
    },
    colour: false,
  })
  return { code, out, err }
}
