// Issue 5, config corpus: every invalid config gives exit 1, a file:line:col error naming the
// rule, no stack trace, and no output (an existing -o file stays as it was). Hand-written cases
// are in test/corpus/config (first line: `# expect: CODE POINTER`); more are made here by
// mutating the valid examples, and the special files (huge, binary, non-UTF-8) are made on the fly.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml'
import { exampleConfigs } from '../scripts/examples.ts'
import { cli } from './_helpers/cli.ts'
import { scratchFor } from './_helpers/scratch.ts'

const CORPUS = 'test/corpus/config'
const Corpus = suite('config corpus')
const work = scratchFor(Corpus, 'corpus')()
const OUTPUT = join(work, 'out.yml')
const BEFORE = 'an earlier render, which must survive\n'
let tried = 0

/** Render `file` with -o over an existing file; it must fail cleanly and leave everything as it was. */
async function refuses(file: string, expect?: { code: string; pointer: string }) {
  writeFileSync(OUTPUT, BEFORE)
  const before = readdirSync(work).sort()
  const { code, out, err } = await cli(['render', file, '-o', OUTPUT])
  tried++
  assert.is(code, 1, `${file}: exit code`)
  assert.is(out, '', `${file}: nothing on stdout`)
  assert.not.match(err, /\n\s+at /, `${file}: no stack trace`)
  const lines = err.split('\n').filter((l) => l.startsWith(file))
  assert.ok(lines.length > 0, `${file}: an error with file:line:col\n${err}`)
  for (const line of lines) assert.match(line, /^\S+:\d+:\d+ [A-Z_]+ \/.*?: \S/, `${file}: ${line}`)
  if (expect) {
    const hit = lines.some((l) => l.includes(` ${expect.code} ${expect.pointer}: `))
    assert.ok(hit, `${file}: expected ${expect.code} at ${expect.pointer}, got\n${err}`)
  }
  assert.is(readFileSync(OUTPUT, 'utf8'), BEFORE, `${file}: -o file untouched`)
  assert.equal(readdirSync(work).sort(), before, `${file}: no file left behind`)
}


const handWritten = readdirSync(CORPUS).filter((f) => f.endsWith('.qm.yaml')).sort()

Corpus('has the hand-written cases', () => {
  assert.ok(handWritten.length >= 150, `${handWritten.length}`)
})

Corpus('every hand-written invalid config is refused with its rule at its place', async () => {
  for (const name of handWritten) {
    const file = join(CORPUS, name)
    const [, code, pointer] = readFileSync(file, 'utf8').match(/^# expect: (\S+) (.+)$/m)!
    await refuses(file, { code: code!, pointer: pointer! })
  }
})

Corpus('special files: huge, binary, non-UTF-8, a directory', async () => {
  const huge = join(work, 'huge.qm.yaml')
  writeFileSync(huge, Buffer.alloc(50 * 1024 * 1024, '# padding\n'))
  await refuses(huge, { code: 'CONFIG_INVALID', pointer: '/' })
  const binary = join(work, 'binary.qm.yaml')
  writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]))
  await refuses(binary, { code: 'CONFIG_INVALID', pointer: '/' })
  const latin1 = join(work, 'latin1.qm.yaml')
  writeFileSync(latin1, Buffer.concat([Buffer.from('node: caf'), Buffer.from([0xe9]), Buffer.from('\n')]))
  await refuses(latin1, { code: 'CONFIG_INVALID', pointer: '/' })
  await refuses(work, { code: 'FILE_READ', pointer: '/' })
})

Corpus('an empty file is the upstream QM, as issue 3 defines it (not an error)', async () => {
  const empty = join(work, 'empty.qm.yaml')
  writeFileSync(empty, '')
  assert.is((await cli(['render', empty])).code, 0)
})

/** Mutations of a valid config that break a rule whatever the rest of the file says. */
function* mutations(text: string): Generator<[string, string]> {
  const MAPS = /^(annotations|environment|sysctl|agent|unit|container|service|install|allow_unsafe)$/
  const doc = () => parseDocument(text, { version: '1.1' })
  const walk = function* (node: unknown, path: (string | number)[]): Generator<[(string | number)[], Node, string | undefined]> {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined
        if (key === undefined) continue
        yield* walk(pair.value, [...path, key])
      }
      yield [path, node as Node, 'map']
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]))
      for (let i = 0; i < node.items.length; i++) yield* walk(node.items[i], [...path, i])
      yield [path, node as Node, 'seq']
    } else if (isScalar(node)) yield [path, node as Node, typeof node.value]
  }
  for (const [path, , kind] of walk(doc().contents, [])) {
    const last = String(path.at(-1) ?? '')
    const parent = String(path.at(-2) ?? '')
    const set = (value: unknown, what: string): [string, string] => {
      const d = doc()
      d.setIn(path, value)
      return [`${path.join('.')} ${what}`, d.toString()]
    }
    if (kind === 'string' && last !== 'text' && !last.startsWith('$')) {
      yield set(`${'x'}\nInjected=1`, 'newline')
      yield set('x\u0000y', 'NUL')
    }
    // raw unit keys take any single-line value, so only line breaks are wrong there
    if (MAPS.test(parent)) continue
    if (kind === 'number') yield set('many', 'number as a word'), yield set(1e9, 'out of range')
    if (kind === 'boolean') yield set('maybe', 'boolean as a word')
    if (kind === 'seq') yield set('x', 'list as a scalar')
    if (kind === 'string' && (last === 'path' || last === 'link')) yield set('/etc/../../root/x', 'path traversal'), yield set('/usr/local/x', 'forbidden root')
    if (kind === 'map' && !MAPS.test(String(path.at(-1) ?? '')) && !MAPS.test(parent)) {
      const d = doc()
      const map = path.length ? d.getIn(path, true) : d.contents
      if (isMap(map)) {
        const key = map.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '')).find((k) => k.length > 3)
        if (key) {
          map.set(`${key.slice(0, 2)}${key[3]}${key[2]}${key.slice(4)}`, 1)
          yield [`${path.join('.')} typo of ${key}`, d.toString()]
        }
      }
    }
  }
}

Corpus('mutations of every example are refused with a positioned error', async () => {
  let count = 0
  for (const name of exampleConfigs()) {
    const text = readFileSync(join('examples', name), 'utf8')
    for (const [what, mutated] of mutations(text)) {
      const file = join(work, `${name}.mutated.qm.yaml`)
      writeFileSync(file, mutated)
      try {
        await refuses(file)
      } catch (e) {
        throw new Error(`${name}, ${what}:\n${mutated}\n${(e as Error).message}`)
      }
      count++
    }
  }
  assert.ok(count >= 100, `${count} mutations`)
})

Corpus('tried at least 150 invalid configs in all', () => {
  assert.ok(tried >= 150, `${tried}`)
  console.log(`\n  config corpus: ${tried} invalid configs tried`)
})

Corpus.run()
