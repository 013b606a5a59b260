// The installed command, bin/qm-stage.cjs, gives the same bytes and exit codes as the CLI run
// in-process: from the built bundle and its code cache (dist/, made by npm run build and by
// prepack, so in every package) and, in a clone without dist/, from the TypeScript source.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cli } from '../_helpers/cli.ts'

const BIN = 'bin/qm-stage.cjs'
const BUILT = existsSync('dist/cli.cjs')

function check(name: string, env: NodeJS.ProcessEnv) {
  const run = (...args: string[]) => spawnSync('node', [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  return async () => {
    for (const args of [['render', 'examples/07-local-tarball.qm.yaml', '--format', 'manifest'], ['render', 'examples/03-nested-oom.qm.yaml']]) {
      const installed = run(...args)
      const inProcess = await cli(args)
      assert.is(installed.status, 0, `${name}: ${installed.stderr}`)
      assert.ok(installed.stdout === inProcess.out, `${name}: ${args.join(' ')}`)
    }
    const bad = run('render', 'test/corpus/config/076-cpu-weight-zero.qm.yaml')
    assert.is(bad.status, 1)
    assert.match(bad.stderr, /076-cpu-weight-zero\.qm\.yaml:2:13 CONFIG_INVALID \/cpu_weight: /)
    assert.is(run('no-such-command').status, 2)
  }
}

const Bin = suite('bin/qm-stage.cjs')

Bin('from the TypeScript source (a clone without dist/)', check('source', { QM_STAGE_FROM_SOURCE: '1' }))

if (BUILT) Bin('from the built bundle and its code cache', check('bundle', {}))
else Bin.skip('from the built bundle and its code cache (run npm run build)', () => {})

Bin.run()
