// Issue 5: the same config gives the same bytes whatever the time zone, locale, umask and
// working directory (each run is a separate process, as in an image build).
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { scratchFor } from '../_helpers/scratch.ts'

const ROOT = process.cwd()
const CONFIG = resolve('examples/07-local-tarball.qm.yaml')

function renderIn(env: Record<string, string>, umask: string, cwd: string, format: string): string {
  const script = `umask ${umask} && exec node --import "${join(ROOT, 'node_modules/tsx/dist/loader.mjs')}" "${join(ROOT, 'src/bin.ts')}" render "${CONFIG}" --format ${format}`
  return execFileSync('sh', ['-c', script], { cwd, env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
}

const Determinism = suite('determinism across environments')
const tmp = scratchFor(Determinism, 'cwd')

Determinism('TZ, LANG, umask and the working directory do not change a byte', () => {
  const elsewhere = tmp()
  for (const format of ['mpp', 'manifest']) {
    const runs = [
      renderIn({ TZ: 'UTC', LANG: 'C' }, '022', ROOT, format),
      renderIn({ TZ: 'Pacific/Chatham', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' }, '077', elsewhere, format),
      renderIn({ TZ: 'America/St_Johns', LANG: 'de_DE.UTF-8' }, '000', '/', format),
    ]
    assert.ok(runs[0]!.length > 1000)
    assert.is(runs[1], runs[0], `${format}: another TZ, locale, umask and directory`)
    assert.is(runs[2], runs[0], `${format}: a third`)
  }
})

Determinism.run()
