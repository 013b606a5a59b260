import { own } from '../own.ts'
import { parseArgs } from 'node:util'
import { VERSION } from '../version.ts'
import { EXIT, type Command } from './command.ts'
import type { Io } from './io.ts'
import { didYouMean } from './suggest.ts'

const COMMANDS: Record<string, () => Promise<Command>> = {
  render: () => import('./commands/render.ts').then((m) => m.default),
  tree: () => import('./commands/tree.ts').then((m) => m.default),
  inspect: () => import('./commands/inspect.ts').then((m) => m.default),
  schema: () => import('./commands/schema.ts').then((m) => m.default),
}
const NAMES = [...Object.keys(COMMANDS), 'help']

const HELP = `qm-stage ${VERSION}: put a QM partition into osbuild images at build time

usage: qm-stage <command> [options]

commands:
  render [CONFIG|-]            print osbuild content placing QM (default: the upstream QM)
  tree [CONFIG|-] --out PATH   run the file-placing stages and write the tree QM adds
  inspect PATH|-               report the QM in a built tree (directory, .tar, .tar.gz, -)
  schema                       print the JSON Schema of qm.yaml
  help [COMMAND]               this text, or a command's options

A config is read from standard input only when given as -. Run qm-stage help <command>
(or qm-stage <command> --help) for a command's options. Help goes to standard output,
usage errors to standard error. Exit codes: 0 ok, 1 invalid input or findings, 2 usage.
Colour: on a terminal, unless NO_COLOR is set; FORCE_COLOR forces it (FORCE_COLOR=0 off).`

/** argv (without node and script) in, exit code out. Never touches process.* itself. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined) return usageError(io, 'no command given', HELP)
  if (name === '--help' || name === '-h') return io.out(`${HELP}\n`), EXIT.ok
  if (name === '--version' || name === '-V') return io.out(`${VERSION}\n`), EXIT.ok
  if (name === 'help') return help(io, rest)
  const load = own(COMMANDS, name)
  if (!load) return usageError(io, `unknown command ${name}${didYouMean(name, NAMES)}`, HELP)
  const command = await load()
  const options = { ...command.options, help: { type: 'boolean', short: 'h' } } as const
  let args
  try {
    args = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true })
  } catch (e) {
    return usageError(io, optionMessage(e as Error, Object.keys(options)), commandHelp(command))
  }
  if (args.values.help) return io.out(`${commandHelp(command)}\n`), EXIT.ok
  return command.run(args, io)
}

async function help(io: Io, [topic, ...extra]: string[]): Promise<number> {
  if (topic === undefined) return io.out(`${HELP}\n`), EXIT.ok
  const load = own(COMMANDS, topic)
  if (!load) return usageError(io, `no command ${topic}${didYouMean(topic, NAMES)}`, HELP)
  if (extra.length > 0) return usageError(io, 'help takes one command', HELP)
  return io.out(`${commandHelp(await load())}\n`), EXIT.ok
}

/** node's parseArgs message, with a suggestion when an unknown option is close to a known one. */
function optionMessage(e: Error, known: string[]): string {
  const unknown = /^Unknown option '(--?[^']+)'/.exec(e.message)?.[1]
  if (!unknown) return e.message
  const word = unknown.replace(/^-+/, '').replace(/=.*/, '')
  const hint = didYouMean(word, known).replace(/did you mean (\S+)\?/, 'did you mean --$1?')
  return `unknown option ${unknown}${hint}`
}

function usageError(io: Io, message: string, help: string): number {
  io.err(`qm-stage: ${message}\n\n${help}\n`)
  return EXIT.usage
}

function commandHelp(command: Command): string {
  return `usage: qm-stage ${command.usage}\n\n${command.summary}`
}
