// render --check against a fake "installed osbuild": a directory with osbuild's layout whose
// schemas are written here, one of them older than the output (no exist_ok for mkdir).
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { render } from '../../src/render/render.ts'
import { checkWithOsbuild } from '../../src/render/check.ts'
import { cli } from '../_helpers/cli.ts'
import { scratchFor } from '../_helpers/scratch.ts'

const STAGES = ['org.osbuild.chmod', 'org.osbuild.containers.storage.conf', 'org.osbuild.copy', 'org.osbuild.rpm', 'org.osbuild.selinux', 'org.osbuild.systemd', 'org.osbuild.untar']
const INPUTS = ['org.osbuild.files', 'org.osbuild.tree']
const open = { schema_2: { options: { type: 'object' }, inputs: { type: 'object' } } }

/** mkdir's paths items as osbuild has them, or (old) without exist_ok. */
const mkdir = (old: boolean) => ({
  schema_2: {
    options: {
      additionalProperties: false,
      properties: {
        paths: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['path'],
            properties: { path: { type: 'string' }, mode: { type: 'number' }, parents: { type: 'boolean' }, ...(old ? {} : { exist_ok: { type: 'boolean' } }) },
          },
        },
      },
    },
  },
})

const Check = suite('qm-stage render --check')
const tmp = scratchFor(Check, 'osbuild')

function fakeOsbuild({ old = false, without = '' } = {}): string {
  const root = tmp()
  for (const d of ['stages', 'inputs', 'sources']) mkdirSync(join(root, d))
  const write = (kind: string, type: string, meta: object) => writeFileSync(join(root, kind, `${type}.meta.json`), JSON.stringify(meta))
  for (const t of STAGES) if (t !== without) write('stages', t, open)
  write('stages', 'org.osbuild.mkdir', mkdir(old))
  for (const t of INPUTS) write('inputs', t, { schema_2: { additionalProperties: true } })
  write('sources', 'org.osbuild.inline', { schema_2: { additionalProperties: true } })
  return root
}

async function withOsbuild<T>(dir: string, run: () => Promise<T>): Promise<T> {
  const before = process.env.QM_OSBUILD_SCHEMAS
  process.env.QM_OSBUILD_SCHEMAS = dir
  try {
    return await run()
  } finally {
    if (before === undefined) delete process.env.QM_OSBUILD_SCHEMAS
    else process.env.QM_OSBUILD_SCHEMAS = before
  }
}


Check('an osbuild that has every stage and option: the output as without --check', async () => {
  const { code, out, err } = await withOsbuild(fakeOsbuild(), () => cli(['render', '--check']))
  assert.is(err, '')
  assert.is(code, 0)
  assert.is(out, (await cli(['render'])).out)
})

Check('an osbuild whose mkdir lacks exist_ok: exit 1, each error names the stage and the option, nothing printed', async () => {
  const { code, out, err } = await withOsbuild(fakeOsbuild({ old: true }), () => cli(['render', '--check']))
  assert.is(code, 1)
  assert.is(out, '')
  const lines = err.trim().split('\n')
  assert.ok(lines.length > 0)
  for (const line of lines) assert.match(line, /^OSBUILD_MISMATCH \/\S+\/options\/paths\/\d+\/exist_ok: org\.osbuild\.mkdir: option paths\[\d+\]\.exist_ok is not in this osbuild's schema/)
  assert.match(lines[0]!, /^OSBUILD_MISMATCH \/pipelines\/0\/stages\/\d+\//)
})

Check('a stage the osbuild does not have is named; --json gives the errors as a document', async () => {
  const { code, out } = await withOsbuild(fakeOsbuild({ without: 'org.osbuild.selinux' }), () => cli(['render', '--check', '--json']))
  assert.is(code, 1)
  const doc = JSON.parse(out) as { errors: { code: string; message: string; pointer: string }[] }
  assert.ok(doc.errors.length > 0)
  for (const e of doc.errors) {
    assert.is(e.code, 'OSBUILD_MISMATCH')
    assert.match(e.message, /^stage org\.osbuild\.selinux is not in this osbuild/)
    assert.match(e.pointer, /^\/mpp-vars\/qm_host_stages\/\d+\/type$/)
  }
})

Check('the library: no osbuild is an error, not a pass; the manifest format is checked too', async () => {
  const result = render(undefined)
  const none = await checkWithOsbuild(result, { osbuild: [{ dir: join(tmpdir(), 'no-such-osbuild'), origin: 'test' }] })
  assert.equal(none.map((e) => e.code), ['OSBUILD_NOT_FOUND'])
  assert.match(none[0]!.message, /no-such-osbuild/)
  const tarball = render(Buffer.from('rootfs:\n  tarball: { source_path: examples/rootfs/tiny-rootfs.tar }\n'), { format: 'manifest' })
  assert.ok(tarball.output)
  const old = await checkWithOsbuild(tarball, { osbuild: [{ dir: fakeOsbuild({ old: true }), origin: 'test' }], format: 'manifest' })
  assert.ok(old.length > 0)
  assert.ok(old.every((e) => e.code === 'OSBUILD_MISMATCH' && /org\.osbuild\.mkdir: option paths\[\d+\]\.exist_ok/.test(e.message)), old.map((e) => e.message).join('\n'))
  assert.equal(await checkWithOsbuild(tarball, { osbuild: [{ dir: fakeOsbuild(), origin: 'test' }], format: 'manifest' }), [])
})

Check.run()
