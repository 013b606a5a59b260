import * as crypto from 'node:crypto'

/** node 20.12 and later: a digest in one call, without the Hash object createHash makes for each. */
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash

/**
 * The hex digest of `data`. A config's thousands of small files are each hashed when rendered and again when
 * a tree checks its sources, and for a small input the Hash object costs three times the hashing.
 */
export function hexDigest(algorithm: string, data: Uint8Array): string {
  return oneShot ? oneShot(algorithm, data, 'hex') : crypto.createHash(algorithm).update(data).digest('hex')
}
