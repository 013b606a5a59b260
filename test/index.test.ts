import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as api from '../src/index.ts'

const Api = suite('library API')

Api('render, run and inspect the default QM through the public entry point', async () => {
  const { output, plan, errors } = api.render(undefined, { format: 'stages' })
  assert.equal(errors, [])
  assert.ok(output)
  const { host } = api.runPlan(plan!)
  const tar = await api.treeToTar(host)
  const report = await api.inspect('-', { stdin: async function* () { yield tar } })
  assert.is(report.version, api.REPORT_VERSION)
  assert.ok(report.quadlet.dropins.length > 0)
})

Api('errors are QmErrors with a code from ERROR_CODES', () => {
  const [e] = api.render(Buffer.from('cpu_weight: 0\n'), { file: 'qm.yaml' }).errors
  assert.instance(e, api.QmError)
  assert.ok(e!.code in api.ERROR_CODES)
  assert.is(api.formatError(e!).split(' ')[0], 'qm.yaml:1:13')
})

Api.run()
