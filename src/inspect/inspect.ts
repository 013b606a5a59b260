import { inspectInterest } from './interest.ts'
import { reportOf } from './model.ts'
import { readTree } from '../archive/read-tree.ts'
import type { Report } from './report.ts'
import { ACCEPTED_PODMAN, DEFAULT_PODMAN, quadletRules } from '../units/generate/versions.ts'

export interface InspectOptions {
  /** standard input, for `-` */
  stdin?: () => AsyncIterable<Uint8Array>
  /** what the report calls the input (default: `input`) */
  name?: string
  /** the podman release whose Quadlet generator is modelled (default: the newest verified, 5.8.2) */
  podman?: string
  /** AddDevice=-/dev/x adds a device only if it exists when the generator runs: assume present (default) or absent */
  optionalDevices?: 'present' | 'absent'
}

/**
 * Read a built tree offline (a directory, a .tar, a .tar.gz, or `-`) and report the QM in
 * it. Only the few hundred paths QM concerns are kept; nothing is written. A truncated
 * archive is reported as far as it goes, with findings saying where it ends.
 */
export async function inspect(input: string, options: InspectOptions = {}): Promise<Report> {
  const rules = quadletRules(options.podman ?? DEFAULT_PODMAN)
  // a programming error for library callers; the CLI checks the option first
  if (!rules) throw new RangeError(`podman ${options.podman} is not modelled; give one of ${ACCEPTED_PODMAN.join(', ')}`)
  const index = await readTree(input, { interest: inspectInterest(), maxBodyBytes: 4 * 1024 * 1024, partial: true, ...(options.stdin ? { stdin: options.stdin } : {}) })
  return reportOf(index, options.name ?? input, { rules, optionalDevices: options.optionalDevices ?? 'present' })
}
