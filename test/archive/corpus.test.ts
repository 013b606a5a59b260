import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { readTree } from '../../src/archive/read-tree.ts'
import { QmError } from '../../src/errors.ts'
import type { TreeIndex } from '../../src/archive/types.ts'
import { bombs, corpus, writeCorpus, type CorpusArchive } from '../corpus/tar/_helpers/archives.ts'
import { ALL_BODIES, readVia, tempDir, VIAS, type Via } from './_helpers/tar.ts'

/** Reject after `ms`: a hang is a failure, not a stuck CI job. */
function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

/** Read it every way that applies and check the outcome: a TAR_READ error matching, or an index. */
async function check(archive: CorpusArchive, options: { maxStreamBytes?: number } = {}): Promise<TreeIndex[]> {
  const ways: Via[] = archive.gzip ? ['file', 'stdin'] : VIAS
  const indexes: TreeIndex[] = []
  for (const via of ways) {
    const what = `${archive.name} via ${via}`
    try {
      const index = await within(20_000, readVia(via, archive.bytes, { interest: ALL_BODIES, ...options }), what)
      if (archive.expect !== 'index') assert.unreachable(`${what}: read without error, expected ${archive.expect}`)
      assert.ok(index.problems.length <= 1001, `${what}: problems are capped`)
      indexes.push(index)
    } catch (e) {
      if (e instanceof assert.Assertion) throw e
      assert.instance(e, QmError, `${what}: ${(e as Error).stack}`)
      const error = e as QmError
      assert.is(error.code, 'TAR_READ', `${what}: ${error.message}`)
      assert.ok(archive.expect instanceof RegExp, `${what}: unexpected error ${error.message}`)
      assert.match(error.message, archive.expect as RegExp, what)
      assert.not.match(error.message, /\n\s+at /, `${what}: no stack in the message`)
    }
  }
  return indexes
}

const Corpus = suite('hostile archive corpus')

for (const archive of corpus()) {
  Corpus(archive.name, async () => {
    await check(archive)
  })
}

Corpus('nothing is written: the directory holding the inputs and the inputs themselves are unchanged', async () => {
  const { dir, remove } = tempDir()
  try {
    writeCorpus(dir, false)
    const snapshot = () => readdirSync(dir).sort().map((name) => {
      const st = statSync(join(dir, name))
      return `${name} ${st.size} ${st.mtimeMs} ${createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')}`
    })
    const before = snapshot()
    for (const name of readdirSync(dir)) await readTree(join(dir, name), { interest: ALL_BODIES }).catch((e) => assert.instance(e, QmError))
    assert.equal(snapshot(), before)
  } finally {
    remove()
  }
})

const Bomb = suite('gzip bomb')

Bomb('256 MiB of zeros in one member: stopped at maxStreamBytes', async () => {
  const [bomb] = bombs()
  await check({ ...bomb!, expect: /more than 33554432 bytes of tar data \(a decompression bomb\?\); stopped, at byte \d+ \/ member 1$/ }, { maxStreamBytes: 32 * 1024 * 1024 })
})

Bomb('256 MiB of zeros under the default cap: read through in bounded memory, then truncated', async () => {
  const [bomb] = bombs()
  global.gc?.()
  const before = process.memoryUsage().rss
  let peak = before
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
  try {
    await check(bomb!)
  } finally {
    clearInterval(sampler)
  }
  const grew = (peak - before) / 1024 / 1024
  assert.ok(grew < 64, `RSS grew by ${grew.toFixed(1)} MiB while inflating 256 MiB`)
})

Corpus.run()
Bomb.run()
