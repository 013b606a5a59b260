import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readSeed } from '../../src/tree/export.ts'
import { walk } from '../../src/tree/vtree.ts'
import { cli } from '../_helpers/cli.ts'
import { TINY_ROOTFS } from '../_helpers/render.ts'
import { scratchFor } from '../_helpers/scratch.ts'

const Tree = suite('qm-stage tree')
const tmp = scratchFor([Tree], 'tree')

Tree('writes the QM overlay to a directory, modes included, and names what it could not make', async () => {
  const out = join(tmp(), 'tree')
  const { code, out: stdout, err } = await cli(['tree', '--out', out])
  assert.is(code, 0)
  assert.match(stdout, /^wrote .*: \d+ entries\n$/)
  assert.match(err, /note: qm_rootfs: org\.osbuild\.rpm not materialised \(give --seed\)/)
  assert.is(statSync(join(out, 'usr/share/containers/systemd/qm.container.d')).mode & 0o7777, 0o755)
  assert.not.ok(existsSync(join(out, 'var')), 'image mode: nothing under /var')
  assert.match(readFileSync(join(out, 'usr/lib/tmpfiles.d/qm-stage.conf'), 'utf8'), /^d \/var\/qm\/tmp 1777 root root -$/m)
  assert.ok(existsSync(join(out, 'usr/share/containers/systemd/qm.container.d/10-qm.conf')))
})

Tree('writes a tar with a seed, labels included', async () => {
  const dir = tmp()
  writeFileSync(join(dir, 'qm.yaml'), `rootfs:\n  tarball: { source_path: ${join(process.cwd(), TINY_ROOTFS)} }\n`)
  const tar = join(dir, 'qm.tar')
  // the config lies outside the repository that holds the tarball: refused, until --source-root widens it
  const refused = await cli(['tree', join(dir, 'qm.yaml'), '--seed', TINY_ROOTFS, '--out', tar])
  assert.is(refused.code, 1)
  assert.match(refused.err, /qm\.yaml:2:\d+ PATH_NOT_ALLOWED \/rootfs\/tarball\/source_path: .* is outside the source root /)
  assert.not.ok(existsSync(tar))
  const { code } = await cli(['tree', join(dir, 'qm.yaml'), '--seed', TINY_ROOTFS, '--out', tar, '--source-root', process.cwd()])
  assert.is(code, 0)
  const entries = walk(await readSeed(tar))
  assert.is(entries.find((e) => e.path === '/usr/lib/qm/rootfs/usr/bin/podman')!.label, 'system_u:object_r:qm_file_t:s0')
})

Tree('a non-empty output directory is refused and left alone', async () => {
  const dir = tmp()
  writeFileSync(join(dir, 'keep'), 'mine')
  const { code, err } = await cli(['tree', '--out', dir])
  assert.is(code, 1)
  assert.match(err, /TREE_EXEC|OUTPUT_WRITE|not empty/)
  assert.is(readFileSync(join(dir, 'keep'), 'utf8'), 'mine')
})

Tree('needs --out', async () => {
  assert.is((await cli(['tree'])).code, 2)
})

Tree.run()
