// The benchmark's stand-in for `qm-stage inspect PATH` until that exists: readTree with the interest a QM
// report needs (~300 paths of an image), printing one summary line. Usage: node read-tree-cli.js PATH|-

import { readTree } from '../src/archive/read-tree.ts'
import type { EntryType, Interest } from '../src/archive/types.ts'

/** Files whose content the report parses. */
const BODY_UNDER = [
  '/usr/share/containers/systemd/',
  '/etc/containers/systemd/',
  '/etc/qm/containers/',
  '/usr/lib/qm/rootfs/etc/containers/',
  '/etc/qm/bluechi/',
  '/usr/lib/qm/rootfs/etc/bluechi/',
  '/etc/bluechi/',
  '/etc/selinux/targeted/contexts/files/',
]
const BODY_FILES = new Set(['/etc/subuid', '/etc/subgid', '/etc/qm/subuid', '/etc/qm/subgid', '/usr/lib/qm/rootfs/etc/subuid', '/usr/lib/qm/rootfs/etc/subgid'])
/** Entries the report checks exist (placement, an OS inside QM, the policy package). */
const ENTRY_PATHS = new Set([
  '/usr/lib/qm', '/usr/lib/qm/rootfs', '/etc/qm', '/var/qm', '/var/qm/tmp',
  '/usr/lib/qm/rootfs/usr/bin/podman', '/usr/lib/qm/rootfs/usr/lib/systemd/systemd', '/usr/lib/qm/rootfs/usr/sbin/init', '/usr/lib/qm/rootfs/sbin',
  '/usr/share/selinux/packages/qm.pp.bz2',
])

export function qmInterest(path: string, _type: EntryType): Interest {
  if (BODY_FILES.has(path)) return 'body'
  for (const dir of BODY_UNDER) if (path.startsWith(dir)) return 'body'
  if (ENTRY_PATHS.has(path)) return 'entry'
  // QM's etc/ as the host sees it: modes, owners and labels of every file.
  if (path.startsWith('/etc/qm/')) return 'entry'
  return 'skip'
}

async function main(input: string | undefined): Promise<number> {
  if (!input) {
    process.stderr.write('usage: read-tree-cli PATH|-\n')
    return 2
  }
  try {
    const index = await readTree(input, { interest: qmInterest, stdin: () => process.stdin })
    const kept = [...index.bodies.values()].reduce((n, b) => n + b.length, 0)
    process.stdout.write(
      `${index.kind} members=${index.stats.members} bytes=${index.stats.bytes} entries=${index.entries.size} ` +
        `bodies=${index.bodies.size} (${kept} bytes) problems=${index.problems.length}\n`,
    )
    return 0
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`)
    return 1
  }
}

main(process.argv[2]).then((code) => (process.exitCode = code))
