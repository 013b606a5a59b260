import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import { QmError } from '../errors.ts'
import { MAX_CONFIG_BYTES, oversizeError } from '../config/load.ts'
import type { Io } from './io.ts'

/** The config named on the command line: a path, `-` for standard input, or none (the defaults). */
export async function readConfigArg(path: string | undefined, io: Io): Promise<{ bytes?: Uint8Array; file?: string; error?: QmError }> {
  if (path === undefined) {
    // standard input is read only when asked for with -: say so when it looks like a config was piped in
    if (io.stdinHasData?.()) io.err('qm-stage: note: standard input is not read without -; using the upstream QM (give - to read the config from it)\n')
    return {}
  }
  if (path === '-') {
    const bytes = await io.stdin(MAX_CONFIG_BYTES)
    return bytes.length > MAX_CONFIG_BYTES ? { error: oversizeError(bytes.length, '<stdin>') } : { bytes, file: '<stdin>' }
  }
  const fail = (why: string) => ({ error: new QmError('FILE_READ', `cannot read the config: ${why}`, '', { file: path, line: 1, col: 1 }) })
  let fd: number | undefined
  try {
    // a pipe (`<(generate)`) is a fine config; a directory, a socket or a device is not
    fd = openSync(path, constants.O_RDONLY | constants.O_NOCTTY)
    const st = fstatSync(fd)
    if (st.isDirectory()) return fail('EISDIR')
    if (!st.isFile() && !st.isFIFO()) return fail('not a regular file or a pipe')
    // an oversized file is refused by its size, without reading it
    if (st.isFile() && st.size > MAX_CONFIG_BYTES) return { error: oversizeError(st.size, path) }
    // and nothing is read past the limit, whatever the size said
    const buf = Buffer.allocUnsafe(MAX_CONFIG_BYTES + 1)
    let n = 0
    for (let got; n < buf.length && (got = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += got
    if (n > MAX_CONFIG_BYTES) return { error: oversizeError(n, path) }
    return { bytes: new Uint8Array(buf.subarray(0, n)), file: path }
  } catch (e) {
    return fail((e as NodeJS.ErrnoException).code ?? (e as Error).message)
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
