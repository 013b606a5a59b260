import type { ParseArgsConfig } from 'node:util'
import type { Io } from './io.ts'

/** A subcommand: its options for node:util parseArgs, a usage line, and what it runs. */
export interface Command {
  usage: string
  summary: string
  options: NonNullable<ParseArgsConfig['options']>
  run(args: { values: Record<string, unknown>; positionals: string[] }, io: Io): Promise<number>
}

export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const
