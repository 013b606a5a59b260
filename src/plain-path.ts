import { posix } from 'node:path'

/** An absolute path without empty, `.` or `..` components: already what normalising it gives. */
export const PLAIN_PATH = /^(?:\/(?!\.\.?(?:\/|$))[^/]+)+$/

/** `path` normalised lexically against the root (`..` stops there): most paths are plain, and left as they are. */
export const rootedPath = (path: string): string => (PLAIN_PATH.test(path) ? path : posix.resolve('/', path))
