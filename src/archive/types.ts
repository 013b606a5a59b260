// The shape every reader (directory, tar, tar.gz, standard input) produces, so the inspect model never knows
// which one it got. The caller names what it wants per path; nothing else is held in memory.

/** What the caller wants of one member: nothing, its metadata, or its metadata and content. */
export type Interest = 'skip' | 'entry' | 'body'

/**
 * What a path is. Readers of archives and directories say 'other' for a device, FIFO or socket; a walk of the
 * virtual tree tells 'char', 'block' and 'fifo' apart (and has no sockets).
 */
export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'other'

/** One path of a tree: what a reader indexes of an archive or directory, and what a walk of the virtual tree reports. */
export interface Entry {
  /** Absolute and normalised: '/usr/lib/qm', '/' for the root. */
  path: string
  type: EntryType
  /** Permission bits only (& 0o7777); the file type is in `type`. */
  mode: number
  uid: number
  gid: number
  /** Content bytes of a regular file; 0 for every other type (a hard link's content is its target's). */
  size: number
  /**
   * A symlink's target exactly as stored; a hard link's target as a normalised absolute path (in a walk, the
   * first path of the same inode in walk order).
   */
  target?: string
  /**
   * Extended attributes a tar carries in PAX records (SCHILY.xattr.*, LIBARCHIVE.xattr.*, RHT.security.selinux),
   * each value's bytes as a latin1 string so binary values survive (an SELinux label usually ends in '\0').
   * Always undefined for a directory input (Node has no API to read xattrs) and in a walk, which has `label`.
   */
  xattrs?: Record<string, string>
  /** The SELinux label of a virtual tree's path, as text. */
  label?: string
  /** Device number of a character or block device (0:0 for a FIFO), in a walk. */
  major?: number
  minor?: number
}

export interface Problem {
  path?: string
  message: string
  /**
   * `path` is indexed, but what it holds is not known: a directory that could not be listed, or the member the
   * archive ends inside (a file with no body needs no flag: the missing body says it).
   */
  unread?: true
  /** The archive ends here, cut short: nothing after this point was read (only with `partial`). */
  truncated?: true
}

export interface TreeIndex {
  kind: 'dir' | 'tar' | 'tar.gz'
  /** Only the members the caller kept, by path. When a name occurs twice the later member wins. */
  entries: Map<string, Entry>
  /** Content of kept files, and of hard links to them, by path. */
  bodies: Map<string, Uint8Array>
  /** What was read but not indexed, or indexed with a caveat. Capped at `MAX_PROBLEMS` plus one summary. */
  problems: Problem[]
  /**
   * Every member, kept or not: how many, and the sum of regular file sizes. `impliedDirs`: directories kept that
   * no member names, only the names of members below them (0755, root, as tar extracts them); absent when none.
   */
  stats: { members: number; bytes: number; impliedDirs?: number }
}

export interface ReadOptions {
  /** Called once per member with its normalised path; decides what is kept. */
  interest: (path: string, type: EntryType) => Interest
  /** Largest body kept; a larger wanted file keeps its entry and gets a problem. Default 1 MiB. */
  maxBodyBytes?: number
  /** All bodies together; past it, wanted files keep their entries only. Default 32 MiB. */
  maxTotalBodyBytes?: number
  /** Entries kept; past it, members are counted but not indexed. Default 100,000. */
  maxEntries?: number
  /** Bytes read from a stream (decompressed tar, or standard input) before giving up. Default 64 GiB. */
  maxStreamBytes?: number
  /**
   * A truncated archive (it ends inside a header or member data, or its gzip stream is cut short) resolves
   * with what was read before the cut and a `truncated` problem, instead of rejecting. Default false.
   */
  partial?: boolean
  /** Standard input, for `-`. The CLI passes process.stdin; nothing here touches `process`. */
  stdin?: () => AsyncIterable<Uint8Array>
}

export const DEFAULTS = {
  maxBodyBytes: 1024 * 1024,
  maxTotalBodyBytes: 32 * 1024 * 1024,
  maxEntries: 100_000,
  maxStreamBytes: 64 * 1024 ** 3,
} as const

export const MAX_PROBLEMS = 1000
