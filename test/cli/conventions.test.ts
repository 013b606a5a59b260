// The command-line conventions every command follows: streams and exit codes of help and
// usage errors, did-you-mean, standard input only with -, colour, output paths.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { main } from '../../src/cli/main.ts'
import { colourWanted } from '../../src/cli/process-io.ts'
import { readSeed } from '../../src/tree/export.ts'
import { walk } from '../../src/tree/vtree.ts'
import { cli } from '../_helpers/cli.ts'
import { scratchFor } from '../_helpers/scratch.ts'

const Help = suite('help and usage errors')
const Stdin = suite('standard input only with -')
const Colour = suite('NO_COLOR and FORCE_COLOR')
const Out = suite('output paths')
const tmp = scratchFor([Help, Stdin, Colour, Out], 'conv')

Help('help, --help and help CMD go to standard output with exit 0', async () => {
  for (const argv of [['help'], ['--help'], ['-h']]) {
    const r = await cli(argv)
    assert.equal([r.code, r.err], [0, ''], argv.join(' '))
    assert.match(r.out, /^qm-stage .*\n\nusage: qm-stage <command>/)
  }
  for (const name of ['render', 'tree', 'inspect', 'schema']) {
    const viaHelp = await cli(['help', name])
    assert.equal([viaHelp.code, viaHelp.err], [0, ''])
    assert.match(viaHelp.out, new RegExp(`^usage: qm-stage ${name}`))
    assert.is((await cli([name, '--help'])).out, viaHelp.out)
  }
})

Help('usage errors go to standard error with exit 2 and nothing on standard output', async () => {
  for (const argv of [[], ['rendr'], ['help', 'nope'], ['render', '--fromat', 'x'], ['render', 'a', 'b'], ['tree'], ['inspect']]) {
    const r = await cli(argv)
    assert.equal([r.code, r.out], [2, ''], argv.join(' '))
    assert.match(r.err, /^qm-stage: /, argv.join(' '))
  }
})

Help('did you mean: commands and options', async () => {
  assert.match((await cli(['rendr'])).err, /^qm-stage: unknown command rendr \(did you mean render\?\)/)
  assert.match((await cli(['inpsect', 'x'])).err, /did you mean inspect\?/)
  assert.match((await cli(['help', 'tre'])).err, /did you mean tree\?/)
  assert.match((await cli(['render', '--fromat', 'manifest'])).err, /^qm-stage: unknown option --fromat \(did you mean --format\?\)/)
  assert.match((await cli(['tree', '--ot', 'x'])).err, /did you mean --out\?/)
  assert.match((await cli(['inspect', '--fail-of', 'x', 'y'])).err, /did you mean --fail-on\?/)
  // nothing close: no guess
  const far = await cli(['render', '--zzzzzz'])
  assert.match(far.err, /unknown option --zzzzzz\n/)
  assert.not.match(far.err, /did you mean/)
})

Help.run()

// ---


const withStdin = (hasData: boolean, argv: string[], text: string) => {
  let out = ''
  let err = ''
  return main(argv, {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stdin: async () => Buffer.from(text),
    stdinStream: async function* () {
      yield Buffer.from(text)
    },
    stdinHasData: () => hasData,
    colour: false,
  }).then((code) => ({ code, out, err }))
}

Stdin('a piped config without - is not read: the upstream QM, and a note on standard error', async () => {
  const piped = await withStdin(true, ['render'], 'pipeline: from_stdin\n')
  assert.is(piped.code, 0)
  assert.not.match(piped.out, /from_stdin/)
  assert.is(piped.out, (await cli(['render'])).out)
  assert.match(piped.err, /^qm-stage: note: standard input is not read without -/)
  const dashed = await withStdin(true, ['render', '-'], 'pipeline: from_stdin\n')
  assert.match(dashed.out, /name: from_stdin/)
  assert.is(dashed.err, '')
  // a terminal (or nothing) on standard input: no note
  assert.is((await withStdin(false, ['render'], '')).err, '')
})

Stdin.run()

// ---


Colour('a terminal gets colour unless NO_COLOR; FORCE_COLOR forces it, FORCE_COLOR=0 turns it off', () => {
  assert.is(colourWanted({}, true), true)
  assert.is(colourWanted({}, false), false)
  assert.is(colourWanted({ NO_COLOR: '1' }, true), false)
  assert.is(colourWanted({ NO_COLOR: '' }, true), true, 'an empty NO_COLOR is unset (no-color.org)')
  assert.is(colourWanted({ FORCE_COLOR: '1' }, false), true)
  assert.is(colourWanted({ FORCE_COLOR: '' }, false), true)
  assert.is(colourWanted({ FORCE_COLOR: '0' }, true), false)
  assert.is(colourWanted({ FORCE_COLOR: '1', NO_COLOR: '1' }, false), true, 'the explicit force wins, as in node')
})

Colour.run()

// ---


Out('tree --out chooses by extension: .tar, .tar.gz and .tgz, else a directory', async () => {
  const dir = tmp()
  for (const name of ['t.tar', 't.tar.gz', 't.tgz', 'T.TGZ']) assert.is((await cli(['tree', '--out', join(dir, name)])).code, 0, name)
  const tar = readFileSync(join(dir, 't.tar'))
  assert.is(tar.subarray(257, 262).toString(), 'ustar')
  for (const name of ['t.tar.gz', 't.tgz', 'T.TGZ']) {
    const gz = readFileSync(join(dir, name))
    assert.equal([gz[0], gz[1]], [0x1f, 0x8b], name)
    assert.ok(gunzipSync(gz).equals(tar), `${name} is the same tar, compressed`)
  }
  assert.equal(walk(await readSeed(join(dir, 't.tgz'))).map((e) => e.path), walk(await readSeed(join(dir, 't.tar'))).map((e) => e.path))
  assert.is((await cli(['tree', '--out', join(dir, 'plain')])).code, 0)
  assert.ok(existsSync(join(dir, 'plain', 'usr/share/containers/systemd/qm.container.d/10-qm.conf')))
})

Out('one rule for a missing parent directory: render -o and tree --out both refuse it, creating nothing', async () => {
  const missing = join(tmp(), 'no', 'such')
  for (const argv of [['render', '-o', join(missing, 'qm.ipp.yml')], ['tree', '--out', join(missing, 't')], ['tree', '--out', join(missing, 't.tar')], ['tree', '--out', join(missing, 't.tar.gz')]]) {
    const r = await cli(argv)
    assert.is(r.code, 1, argv.join(' '))
    assert.match(r.err, /OUTPUT_WRITE \/: cannot write .*: the directory .*no\/such does not exist \(create it first\); nothing was written/, argv.join(' '))
    assert.not.ok(existsSync(join(missing, '..')), argv.join(' '))
  }
})

Out.run()
