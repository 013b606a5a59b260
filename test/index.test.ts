import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import * as api from '../src/index.ts'

const Api = suite('library API')

Api('a small surface: memfs and tree internals stay inside', () => {
  assert.equal(Object.keys(api).sort(), [
    'DEFAULTS_FILE', 'ERROR_CODES', 'FORMATS', 'QmError', 'REPORT_VERSION', 'UNSAFE',
    'buildTree', 'checkWithOsbuild', 'errorToJSON', 'formatError', 'inspect', 'loadConfig', 'render', 'textReport',
  ])
})

Api('render, build and inspect the default QM through the public entry point', async () => {
  const { output, plan, errors } = api.render(undefined, { format: 'stages' })
  assert.equal(errors, [])
  assert.ok(output)
  const tree = await api.buildTree(plan!)
  assert.ok(tree.paths().includes('/usr/share/containers/systemd/qm.container.d/10-qm.conf'))
  assert.ok(tree.notes.some((n) => /not materialised/.test(n)))
  const tar = await tree.tar()
  const report = await api.inspect('-', { stdin: async function* () { yield tar } })
  assert.is(report.version, api.REPORT_VERSION)
  assert.ok(report.quadlet.dropins.length > 0)
  const gz = await tree.tar({ gzip: true })
  assert.equal([gz[0], gz[1]], [0x1f, 0x8b])
})

Api('errors are QmErrors with a code from ERROR_CODES', () => {
  const [e] = api.render(Buffer.from('cpu_weight: 0\n'), { file: 'qm.yaml' }).errors
  assert.instance(e, api.QmError)
  assert.ok(e!.code in api.ERROR_CODES)
  assert.is(api.formatError(e!).split(' ')[0], 'qm.yaml:1:13')
})

Api('the README\'s library example runs as written, against the source', () => {
  const readme = readFileSync('README.md', 'utf8')
  const section = readme.slice(readme.indexOf('## Library API'))
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!
  assert.match(code, /from 'qm-stage'/)
  mkdirSync('.scratch', { recursive: true })
  const file = join('.scratch', 'readme-library-example.ts')
  writeFileSync(file, code.replace("from 'qm-stage'", `from ${JSON.stringify(resolve('src/index.ts'))}`))
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  assert.is(run.status, 0, run.stderr)
  assert.is(run.stdout, '0 errors\n')
})

Api.run()
