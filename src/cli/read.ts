import { readFileSync, statSync } from 'node:fs'
import { QmError } from '../errors.ts'
import { MAX_CONFIG_BYTES, oversizeError } from '../config/load.ts'
import type { Io } from './io.ts'

/** The config named on the command line: a path, `-` for standard input, or none (the defaults). */
export async function readConfigArg(path: string | undefined, io: Io): Promise<{ bytes?: Uint8Array; file?: string; error?: QmError }> {
  if (path === undefined) return {}
  if (path === '-') return { bytes: await io.stdin(), file: '<stdin>' }
  try {
    // an oversized file is refused by its size, without reading it
    const size = statSync(path).size
    if (size > MAX_CONFIG_BYTES) return { error: oversizeError(size, path) }
    return { bytes: readFileSync(path), file: path }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message
    return { error: new QmError('FILE_READ', `cannot read the config: ${code}`, '', { file: path, line: 1, col: 1 }) }
  }
}
