// The installed command (dist/qm-stage.cjs, which runs the bundled CLI from its code cache)
// gives the same bytes and exit codes as the CLI run in-process. npm ci builds dist/.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cli } from '../_helpers/cli.ts'

const BIN = 'dist/qm-stage.cjs'
const run = (...args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })

const Bin = suite('dist/qm-stage.cjs')

Bin('is built (npm ci and npm run build make it)', () => {
  assert.ok(existsSync(BIN) && existsSync('dist/cli.cjs'), 'run npm run build')
})

Bin('renders the same bytes as the library, and exits like it', async () => {
  for (const args of [['render', 'examples/07-local-tarball.qm.yaml', '--format', 'manifest'], ['render', 'examples/03-nested-oom.qm.yaml']]) {
    const installed = run(...args)
    const inProcess = await cli(args)
    assert.is(installed.status, 0)
    assert.ok(installed.stdout === inProcess.out, args.join(' '))
  }
  const bad = run('render', 'test/corpus/config/076-cpu-weight-zero.qm.yaml')
  assert.is(bad.status, 1)
  assert.match(bad.stderr, /076-cpu-weight-zero\.qm\.yaml:2:13 CONFIG_INVALID \/cpu_weight: /)
  assert.is(run('no-such-command').status, 2)
})

Bin.run()
