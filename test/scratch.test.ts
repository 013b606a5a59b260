// Tests leave nothing in the system's temporary directory: they take their directories from
// test/_helpers/scratch.ts, which removes them when the suite (or the single use) ends.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { scratchFor, withScratch } from './_helpers/scratch.ts'

const Scratch = suite('scratch directories')

const testFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))

Scratch('no test makes a temporary directory of its own', () => {
  const own = testFiles('test').filter((f) => f !== join('test', '_helpers', 'scratch.ts') && /\bmkdtemp(Sync)?\(/.test(readFileSync(f, 'utf8')))
  assert.equal(own, [])
})

Scratch('withScratch removes its directory, also when the body throws; removeScratch opens read-only directories', async () => {
  let kept = ''
  await withScratch('self', (dir) => void (kept = dir))
  assert.ok(kept !== '' && !existsSync(kept))
  const thrown = await withScratch('self', (dir) => {
    kept = dir
    throw new Error('boom')
  }).catch((e: Error) => e.message)
  assert.is(thrown, 'boom')
  assert.not.ok(existsSync(kept))
  await withScratch('self', async (dir) => {
    const { chmodSync, mkdirSync } = await import('node:fs')
    mkdirSync(join(dir, 'ro'))
    writeFileSync(join(dir, 'ro', 'f'), 'x')
    chmodSync(join(dir, 'ro'), 0o500)
    kept = dir
  })
  assert.not.ok(existsSync(kept))
})

const Made = suite('scratchFor')
const made: string[] = []
const tmp = scratchFor(Made, 'self')
Made('a suite\'s directories last while it runs', () => {
  made.push(tmp(), tmp())
  assert.ok(made.every((d) => existsSync(d)))
})
Made.after(() => {
  // after hooks run in order: scratchFor's (registered first) has removed them
  if (made.some((d) => existsSync(d))) throw new Error(`left behind: ${made.join(' ')}`)
})

Scratch.run()
Made.run()
