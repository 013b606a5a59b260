import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync, writeFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import reportSchema from '../../src/inspect/report.schema.json' with { type: 'json' }
import { treeToTar } from '../../src/tree/export.ts'
import { emptyTree } from '../../src/tree/vtree.ts'
import { cli } from '../_helpers/cli.ts'
import type { Report } from '../../src/inspect/report.ts'
import { asInstalledByRpm, put, tarFile } from '../_helpers/image.ts'
import { built, tinySeed, TINY_ROOTFS } from '../_helpers/render.ts'
import { scratchFor } from '../_helpers/scratch.ts'

const validReport = new Ajv({ allErrors: true, strict: true }).compile(reportSchema)

const Inspect = suite('qm-stage inspect')
const tmp = scratchFor(Inspect, 'inspect')

async function qmImage() {
  const { host } = built(`rootfs: { tarball: { source_path: ${TINY_ROOTFS} } }\n`, { seed: await tinySeed() })
  return tarFile(asInstalledByRpm(host), tmp())
}

Inspect('prints a sectioned report; exit 0 when nothing reaches --fail-on', async () => {
  const { code, out } = await cli(['inspect', await qmImage()])
  assert.is(code, 0)
  for (const section of ['Placement', 'qm.container', 'Inside QM', 'BlueChi', 'SELinux', 'Findings']) assert.match(out, `\n${section}`)
  assert.match(out, /MemoryMax +infinity +\/usr\/share\/containers\/systemd\/qm\.container\.d\/10-qm\.conf:5/)
  assert.not.match(out, /\x1b\[/, 'no colour off a terminal')
})

Inspect('--fail-on sets the level that fails', async () => {
  const image = await qmImage()
  assert.is((await cli(['inspect', image, '--fail-on', 'warning'])).code, 1, 'memory.unlimited is a warning')
  assert.is((await cli(['inspect', image, '--fail-on', 'never'])).code, 0)
  const bare = emptyTree()
  put(bare, '/etc/os-release', 'ID=x\n')
  assert.is((await cli(['inspect', await tarFile(bare, tmp())])).code, 1, 'no QM is an error')
})

Inspect('--json prints the documented report; - reads a tar from standard input', async () => {
  const image = await qmImage()
  const { code, out } = await cli(['inspect', '-', '--json'], readFileSync(image))
  assert.is(code, 0)
  const report = JSON.parse(out) as Report
  assert.ok(validReport(report), JSON.stringify(validReport.errors))
  assert.is(report.input.path, '-')
})

Inspect('a broken archive is a clear error, not a crash', async () => {
  const tar = await treeToTar(emptyTree())
  const broken = await tarFile(emptyTree(), tmp(), 'broken.tar')
  writeFileSync(broken, Buffer.concat([Buffer.from('not a tar at all '.repeat(40)), tar]))
  const { code, err } = await cli(['inspect', broken])
  assert.is(code, 1)
  assert.match(err, /TAR_READ/)
  assert.not.match(err, /\n\s+at /)
  const json = await cli(['inspect', broken, '--json'])
  assert.is(JSON.parse(json.out).errors[0].code, 'TAR_READ')
})

Inspect('usage errors exit 2', async () => {
  assert.is((await cli(['inspect'])).code, 2)
  assert.is((await cli(['inspect', 'a', 'b'])).code, 2)
  assert.is((await cli(['inspect', 'x', '--fail-on', 'fatal'])).code, 2)
})

Inspect('a missing path is an error naming it', async () => {
  const { code, err } = await cli(['inspect', '/nonexistent/image.tar'])
  assert.is(code, 1)
  assert.match(err, /\/nonexistent\/image\.tar/)
})

Inspect.run()
