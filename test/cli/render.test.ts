import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import schema from '../../src/config/qm.schema.json' with { type: 'json' }
import { cli } from '../_helpers/cli.ts'
import { scratchFor } from '../_helpers/scratch.ts'

const Render = suite('qm-stage render')
const Other = suite('qm-stage schema, help, version')
const tmp = scratchFor([Render, Other], 'cli')

const config = (dir: string, text: string) => {
  const file = join(dir, 'qm.yaml')
  writeFileSync(file, text)
  return file
}


Render('with no config prints the upstream QM as an osbuild-mpp include', async () => {
  const { code, out, err } = await cli(['render'])
  assert.is(code, 0)
  assert.is(err, '')
  const doc = parse(out) as { version: string; pipelines: { name: string }[]; 'mpp-vars': { qm_host_stages: unknown[] } }
  assert.is(doc.version, '2')
  assert.equal(doc.pipelines.map((p) => p.name), ['qm_rootfs'])
  assert.ok(doc['mpp-vars'].qm_host_stages.length > 0)
})

Render('reads the config from standard input with -', async () => {
  const { code, out } = await cli(['render', '-', '--format', 'stages'], 'pipeline: qm_os\n')
  assert.is(code, 0)
  assert.equal((JSON.parse(out) as { pipelines: { name: string }[] }).pipelines.map((p) => p.name), ['qm_os'])
})

Render('bad input: exit 1, one file:line:col line per error on stderr, nothing on stdout', async () => {
  const file = config(tmp(), 'cpu_weight: 0\nmemory_limit:\n  max: 2X\n')
  const { code, out, err } = await cli(['render', file])
  assert.is(code, 1)
  assert.is(out, '')
  const lines = err.trim().split('\n')
  assert.is(lines.length, 2)
  assert.ok(lines[0]!.startsWith(`${file}:1:13 CONFIG_INVALID /cpu_weight: `))
  assert.ok(lines[1]!.startsWith(`${file}:3:8 CONFIG_INVALID /memory_limit/max: `))
  assert.not.match(err, /\n\s+at /, 'no stack trace')
})

Render('--json gives the errors as one versioned document', async () => {
  const file = config(tmp(), 'cpu_weight: 0\n')
  const { code, out } = await cli(['render', file, '--json'])
  assert.is(code, 1)
  assert.equal(JSON.parse(out), {
    version: 1,
    errors: [{ code: 'CONFIG_INVALID', message: 'must be idle or an integer from 1 to 10000 (systemd CPUWeight=)', pointer: '/cpu_weight', where: { file, line: 1, col: 13 } }],
  })
})

Render('-o writes the file atomically; on failure an existing file stays as it was and nothing else appears', async () => {
  const dir = tmp()
  const out = join(dir, 'qm.ipp.yml')
  assert.is((await cli(['render', '-o', out])).code, 0)
  const first = readFileSync(out, 'utf8')
  assert.match(first, /^# QM partition/)
  const bad = config(dir, 'policy: X\n')
  assert.is((await cli(['render', bad, '-o', out])).code, 1)
  assert.is(readFileSync(out, 'utf8'), first)
  assert.equal(readdirSync(dir).sort(), ['qm.ipp.yml', 'qm.yaml'])
})

Render('an unwritable -o target is an error, not a crash', async () => {
  const { code, err } = await cli(['render', '-o', '/nonexistent-dir/x.yml'])
  assert.is(code, 1)
  assert.is(err, 'OUTPUT_WRITE /: cannot write /nonexistent-dir/x.yml: the directory /nonexistent-dir does not exist (create it first); nothing was written\n')
})

Render('a missing config file is named', async () => {
  const { code, err } = await cli(['render', '/nonexistent/qm.yaml'])
  assert.is(code, 1)
  assert.is(err, '/nonexistent/qm.yaml:1:1 FILE_READ /: cannot read the config: ENOENT\n')
})

Render('usage errors exit 2', async () => {
  for (const argv of [['render', '--format', 'xml'], ['render', '--bogus'], ['render', 'a', 'b'], ['frobnicate'], []]) {
    assert.is((await cli(argv)).code, 2, argv.join(' '))
  }
})

Render.run()

// ---


Other('schema prints the qm.yaml JSON Schema', async () => {
  const { code, out } = await cli(['schema'])
  assert.is(code, 0)
  assert.equal(JSON.parse(out), schema)
})

Other('help and version', async () => {
  assert.match((await cli(['--help'])).out, /usage: qm-stage <command>/)
  assert.match((await cli(['render', '--help'])).out, /--format mpp/)
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
  assert.is((await cli(['--version'])).out, `${pkg.version}\n`)
})

Other.run()
