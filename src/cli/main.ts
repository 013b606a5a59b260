import { parseArgs } from 'node:util'
import { VERSION } from '../version.ts'
import { EXIT, type Command } from './command.ts'
import type { Io } from './io.ts'

const COMMANDS: Record<string, () => Promise<Command>> = {
  render: () => import('./commands/render.ts').then((m) => m.default),
  tree: () => import('./commands/tree.ts').then((m) => m.default),
  inspect: () => import('./commands/inspect.ts').then((m) => m.default),
  schema: () => import('./commands/schema.ts').then((m) => m.default),
}

const HELP = `qm-stage ${VERSION}: put a QM partition into osbuild images at build time

usage: qm-stage <command> [options]

commands:
  render [CONFIG]              print osbuild content placing QM (default: the upstream QM)
  tree [CONFIG] --out DIR|TAR  run the file-placing stages and write the tree QM adds
  inspect PATH                 report the QM in a built tree (directory, .tar, .tar.gz, -)
  schema                       print the JSON Schema of qm.yaml

Run qm-stage <command> --help for a command's options. Exit codes: 0 ok, 1 invalid input
or findings, 2 usage.`

/** argv (without node and script) in, exit code out. Never touches process.* itself. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(`${HELP}\n`)
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  if (name === '--version' || name === '-V') return io.out(`${VERSION}\n`), EXIT.ok
  const load = COMMANDS[name]
  if (!load) return usageError(io, `unknown command ${name}`, HELP)
  const command = await load()
  let args
  try {
    args = parseArgs({ args: [...rest], options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true })
  } catch (e) {
    return usageError(io, (e as Error).message, commandHelp(command))
  }
  if (args.values.help) return io.out(`${commandHelp(command)}\n`), EXIT.ok
  return command.run(args, io)
}

function usageError(io: Io, message: string, help: string): number {
  io.err(`qm-stage: ${message}\n\n${help}\n`)
  return EXIT.usage
}

function commandHelp(command: Command): string {
  return `usage: qm-stage ${command.usage}\n\n${command.summary}`
}
