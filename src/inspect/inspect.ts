import { inspectInterest } from './interest.ts'
import { reportOf } from './model.ts'
import { readTree } from '../archive/read-tree.ts'
import type { Report } from './report.ts'

export interface InspectOptions {
  /** standard input, for `-` */
  stdin?: () => AsyncIterable<Uint8Array>
  /** what the report calls the input (default: `input`) */
  name?: string
}

/**
 * Read a built tree offline (a directory, a .tar, a .tar.gz, or `-`) and report the QM in
 * it. Only the few hundred paths QM concerns are kept; nothing is written.
 */
export async function inspect(input: string, options: InspectOptions = {}): Promise<Report> {
  const index = await readTree(input, { interest: inspectInterest(), maxBodyBytes: 4 * 1024 * 1024, ...(options.stdin ? { stdin: options.stdin } : {}) })
  return reportOf(index, options.name ?? input)
}
