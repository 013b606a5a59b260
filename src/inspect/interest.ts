import { addParents } from '../parents.ts'
import { QM } from '../qm/paths.ts'
import { NOT_MATERIALISED_MARKER } from '../qm/not-materialised.ts'
import type { EntryType, Interest } from '../archive/types.ts'
import { TMPFILES_DIRS } from './tmpfiles.ts'

const R = QM.rootfs

/** Files whose bodies inspect reads (configuration: small). */
const BODIES = [
  '/usr/lib/systemd/system/qm.service',
  '/etc/systemd/system/qm.service',
  '/run/systemd/generator/qm.service',
  `${QM.etc}/containers/containers.conf`,
  `${QM.etc}/containers/storage.conf`,
  `${R}/etc/containers/containers.conf`,
  `${R}/etc/containers/storage.conf`,
  `${R}/usr/share/containers/containers.conf`,
  `${R}/usr/share/containers/storage.conf`,
  `${QM.etc}/containers/containers.rootless.conf`, `${R}/etc/containers/containers.rootless.conf`,
  '/etc/selinux/config',
  '/etc/subuid', '/etc/subgid', `${QM.etc}/subuid`, `${QM.etc}/subgid`,
  '/etc/systemd/system.conf',
  `${QM.var}/lib/containers/storage/overlay-images/images.json`,
  NOT_MATERIALISED_MARKER,
]

/**
 * systemd's system unit search path (systemd.unit(5)), where qm.service's drop-ins (qm.service.d/, service.d/)
 * apply on the host: the persistent and transient control directories and the administrator's /usr/local too.
 */
export const SYSTEM_UNIT_DIRS = [
  '/etc/systemd/system.control', '/run/systemd/system.control', '/run/systemd/transient', '/etc/systemd/system',
  '/run/systemd/system', '/usr/local/lib/systemd/system', '/usr/lib/systemd/system',
]

/** Entries inspect looks at without reading them. */
const ENTRIES = [
  QM.dir, QM.rootfs, QM.etc, QM.var, QM.varTmp,
  `${R}/sbin/init`, `${R}/usr/sbin/init`, `${R}/usr/lib/systemd/systemd`, `${R}/usr/bin/podman`,
  QM.selinuxModule, QM.selinuxInterface,
  QM.podmanSeccompProfile,
  `${R}/usr/lib/containers/storage`, `${R}/usr/share/containers/storage`, `${QM.var}/lib/containers/storage`,
  '/ostree', '/sysroot', '/usr/lib/ostree', '/usr/lib/bootc', '/usr/etc',
  // QM's vendor unit directory: listed for the NAME.d drop-in directories kept below it (PATTERNS)
  `${R}/usr/lib/systemd/system`,
]

/** Trees kept whole: every entry, and the bodies of unit, drop-in and config files. */
const TREES = [
  '/run/containers/systemd', '/etc/containers/systemd', '/usr/share/containers/systemd',
  `${QM.etc}/containers/systemd`, `${R}/etc/containers/systemd`, `${R}/usr/share/containers/systemd`,
  `${QM.etc}/containers/containers.conf.d`, `${R}/etc/containers/containers.conf.d`, `${R}/usr/share/containers/containers.conf.d`,
  `${QM.etc}/containers/containers.rootful.conf.d`, `${R}/etc/containers/containers.rootful.conf.d`, `${R}/usr/share/containers/containers.rootful.conf.d`,
  `${QM.etc}/containers/containers.rootless.conf.d`, `${R}/etc/containers/containers.rootless.conf.d`, `${R}/usr/share/containers/containers.rootless.conf.d`,
  `${QM.etc}/bluechi`, `${R}/etc/bluechi`, `${R}/usr/share/bluechi`,
  ...SYSTEM_UNIT_DIRS.flatMap((d) => [`${d}/qm.service.d`, `${d}/service.d`]),
  '/etc/systemd/system-generators', '/usr/lib/systemd/system-generators',
  '/etc/systemd/system.conf.d', '/usr/lib/systemd/system.conf.d',
  QM.shareDir,
  `${QM.etc}/systemd/system`,
  ...TMPFILES_DIRS,
]

/** Regular files under /var/qm kept as entries: enough to name them, bounded however many there are. */
export const MAX_VAR_FILES = 20

const BODY_NAME = /\.(container|volume|network|kube|image|pod|build|conf|service|json)$/
/** The policy's file contexts, the qm module in a policy store, images.json of image stores inside QM. */
const PATTERNS: [RegExp, Interest][] = [
  [/^\/etc\/selinux\/[^/]+\/contexts\/files\/file_contexts$/, 'body'],
  [/^\/(etc|var\/lib)\/selinux\/[^/]+\/active\/modules\/[^/]+\/qm(\/|$)/, 'entry'],
  [new RegExp(`^${R}/.*/overlay-images/images\\.json$`), 'body'],
  // systemd drop-ins in QM's vendor unit directory (nested services' [Service] keys)
  [new RegExp(`^${R}/usr/lib/systemd/system/[^/]+\\.d(/[^/]+\\.conf)?$`), 'body'],
]

/** What inspect keeps of each archive member: nothing, its entry, or entry and body. */
export function inspectInterest(): (path: string, type: EntryType) => Interest {
  const exact = new Map<string, Interest>()
  const parents = new Set<string>()
  for (const p of [...BODIES, ...ENTRIES, ...TREES]) addParents(parents, p)
  for (const p of parents) exact.set(p, 'entry')
  for (const p of [...ENTRIES, ...TREES]) exact.set(p, 'entry')
  for (const p of BODIES) exact.set(p, 'body')
  let varFiles = 0
  const underTree = prefixTest(TREES.map((t) => `${t}/`))
  const varDir = `${QM.var}/`
  const rootfs = `${R}/`
  return (path: string, type: EntryType) => {
    const hit = exact.get(path)
    if (hit) return hit
    // an image-mode host loses these: inspect names them (a later same-named member counts again: harmless)
    if (type === 'file' && path.startsWith(varDir) && varFiles < MAX_VAR_FILES) {
      varFiles++
      return 'entry'
    }
    if (underTree(path)) return BODY_NAME.test(path) ? 'body' : 'entry'
    // links inside the QM tree decide where its init and podman really are
    if (path.startsWith(rootfs) && !path.includes('/', rootfs.length)) return 'entry'
    // an indexed loop: this runs for every member of the archive, much of it before V8 optimises it, where for-of
    // allocates an iterator result per step
    for (let i = 0; i < PATTERNS.length; i++) if (PATTERNS[i]![0].test(path)) return PATTERNS[i]![1]
    return 'skip'
  }
}

/**
 * Whether a path starts with one of `prefixes`, in a binary search of them rather than a test of each: this
 * runs for every member of an archive. Of prefixes where one starts with another (or repeats it) only the
 * shorter is kept; among the rest, the only one a path can start with is the greatest that sorts at or
 * before it (any string between a prefix and a path that starts with it starts with that prefix too).
 */
export function prefixTest(prefixes: readonly string[]): (path: string) => boolean {
  const sorted = [...prefixes].sort()
  const kept: string[] = []
  for (const p of sorted) if (kept.length === 0 || !p.startsWith(kept[kept.length - 1]!)) kept.push(p)
  return (path) => {
    let lo = 0
    let hi = kept.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (kept[mid]! <= path) lo = mid + 1
      else hi = mid
    }
    return lo > 0 && path.startsWith(kept[lo - 1]!)
  }
}
