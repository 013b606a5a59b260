// What the host makes at boot: the tmpfiles.d file, and (with the real systemd-tmpfiles) the
// /var/qm and bind-mount sources it gives a booted image-mode host on an empty /var and /run.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { lstatSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { generate } from '../../stages/host-tmpfiles.ts'
import { QM } from '../../src/qm/paths.ts'
import { readSeed, writeTreeToDir } from '../../src/tree/export.ts'
import { readBytes, walk, type Tree } from '../../src/tree/vtree.ts'
import { put } from '../_helpers/image.ts'
import { built, effectiveQm, has, text, TINY_ROOTFS } from '../_helpers/render.ts'
import { scratchFor } from '../_helpers/scratch.ts'

const lines = (host: Tree) => text(host, QM.tmpfiles).split('\n').filter((l) => l !== '' && !l.startsWith('#'))

const Tmpfiles = suite('host-tmpfiles')

Tmpfiles('image mode: /var/qm copied from the seed when missing or empty, /var/qm/tmp sticky, the BlueChi socket directory', () => {
  const { host } = built('')
  assert.equal(lines(host), [
    'C /var/qm - - - - /usr/share/factory/var/qm',
    'd /var/qm/tmp 1777 root root -',
    'd /run/bluechi 0700 root root -',
  ])
  assert.not.ok(has(host, '/var'), 'nothing under /var: an image-mode host would never receive it')
})

Tmpfiles('package mode keeps /var/qm in the tree; the socket directory follows the configured address', () => {
  const { host } = built('mode: package\nbluechi:\n  controller: { address: "unix:path=/run/bluechi/ctl/bc.sock" }\n')
  assert.equal(lines(host), ['d /var/qm/tmp 1777 root root -', 'd /run/bluechi/ctl 0700 root root -'])
  assert.ok(has(host, '/var/qm/tmp'))
  assert.equal(lines(built('bluechi: { enabled: false }\n').host).filter((l) => l.includes('/run')), [])
  assert.equal(lines(built('bluechi:\n  controller: { host: 10.0.0.1, port: 842 }\n').host).filter((l) => l.includes('/run')), [])
})

Tmpfiles('a field with blanks is a programming error', () => {
  assert.throws(() => generate({ lines: [{ type: 'd', path: '/run/a b', why: 'test' }] }), /white space/)
})

Tmpfiles.run()

// ---

/**
 * The real systemd-tmpfiles. CI installs it (.ci/run) and must run these checks; elsewhere
 * they are skipped with a note when it is missing or when not running as root (it sets owners).
 */
const TMPFILES = spawnSync('systemd-tmpfiles', ['--version'], { encoding: 'utf8' })
const CAN_RUN = TMPFILES.status === 0 && process.getuid?.() === 0
if (!CAN_RUN && process.env.CI !== 'true') {
  console.warn(`note: systemd-tmpfiles checks skipped (${TMPFILES.status === 0 ? 'not root' : 'systemd-tmpfiles not installed'}); CI runs them`)
}
const Boot = suite('booted image: systemd-tmpfiles on the produced tree')
const boot = CAN_RUN || process.env.CI === 'true' ? Boot : Boot.skip

/** A QM with state in its /var: a regular file, a private directory, a sticky tmp and a link. */
const CONFIG = `rootfs: { tarball: { source_path: ${TINY_ROOTFS} } }
content:
  make_dirs:
    - { path: /var/lib/radio, mode: 0750, parents: true }
`
async function seed(): Promise<Tree> {
  const tree = await readSeed(TINY_ROOTFS)
  put(tree, '/var/lib/radio-state/presets.db', 'station=101.5\n', 0o640)
  put(tree, '/var/log/radio.log', '', 0o600)
  return tree
}

const tmp = scratchFor(Boot, 'boot')

/** Write the host tree to a directory, empty its /var and /run as a fresh boot has them, and run systemd-tmpfiles. */
function booted(host: Tree): string {
  const dir = join(tmp(), 'root')
  writeTreeToDir(host, dir)
  for (const d of ['var', 'run']) rmSync(join(dir, d), { recursive: true, force: true })
  const run = spawnSync('systemd-tmpfiles', [`--root=${dir}`, '--create', join(dir, QM.tmpfiles)], { encoding: 'utf8' })
  assert.is(run.status, 0, `systemd-tmpfiles: ${run.stderr}`)
  return dir
}

/** path -> type, mode, owner and content (or link target) of everything at and under `root` of a directory. */
function onDisk(dir: string, root: string): Map<string, string> {
  const out = new Map<string, string>()
  const visit = (rel: string) => {
    const st = lstatSync(join(dir, rel))
    const kind = st.isSymbolicLink() ? `-> ${readlinkSync(join(dir, rel))}` : st.isDirectory() ? 'dir' : `file ${readFileSync(join(dir, rel), 'utf8')}`
    out.set(rel.slice(root.length) || '/', `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${kind}`)
    if (st.isDirectory()) for (const name of readdirSync(join(dir, rel)).sort()) visit(`${rel}/${name}`)
  }
  visit(root)
  return out
}

/** The same description of a memfs tree. */
function inTree(tree: Tree, root: string): Map<string, string> {
  return new Map(
    walk(tree, root).map((e) => {
      const kind = e.type === 'symlink' ? `-> ${e.target}` : e.type === 'dir' ? 'dir' : `file ${readBytes(tree, e.path).toString('utf8')}`
      return [e.path.slice(root.length) || '/', `${e.mode.toString(8)} ${e.uid}:${e.gid} ${kind}`]
    }),
  )
}

boot('image mode: after a boot on an empty /var, /var/qm holds exactly what package mode places there', async () => {
  const image = built(CONFIG, { seed: await seed() })
  const pkg = built(`mode: package\n${CONFIG}`, { seed: await seed() })
  assert.equal(walk(image.host).filter((e) => e.path.startsWith('/var/') && e.type !== 'dir'), [], 'no file under /var in the image')
  const want = inTree(pkg.host, QM.var)
  assert.ok(want.get('/lib/radio-state/presets.db')?.startsWith('640 0:0 file station=101.5'), 'the case carries a regular file')
  assert.ok(want.get('/tmp')?.startsWith('1777 '))
  const dir = booted(image.host)
  assert.equal(Object.fromEntries(onDisk(dir, QM.var)), Object.fromEntries(want))
})

boot('existing state in /var/qm is never replaced, and a missing /var/qm/tmp comes back', async () => {
  const image = built(CONFIG, { seed: await seed() })
  const dir = booted(image.host)
  const state = join(dir, 'var/qm/lib/radio-state/presets.db')
  spawnSync('sh', ['-c', `echo changed > '${state}' && rm -rf '${join(dir, 'var/qm/tmp')}'`])
  const again = spawnSync('systemd-tmpfiles', [`--root=${dir}`, '--create', join(dir, QM.tmpfiles)], { encoding: 'utf8' })
  assert.is(again.status, 0, again.stderr)
  assert.is(readFileSync(state, 'utf8'), 'changed\n')
  assert.is(lstatSync(join(dir, 'var/qm/tmp')).mode & 0o7777, 0o1777)
})

for (const mode of ['image', 'package'] as const) {
  boot(`${mode} mode: every bind-mount source of the effective qm.container exists after a boot, the BlueChi socket directory included`, async () => {
    const { host } = built(`mode: ${mode}\n${CONFIG}`, { seed: await seed() })
    const qm = effectiveQm(host)
    const env = new Map(qm.list('Service', 'Environment').map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]))
    const sources = qm.list('Container', 'Volume').map((v) => v.split(':')[0]!.replace(/\$\{(\w+)\}/g, (_, name: string) => env.get(name)!))
    assert.ok(sources.includes('/run/bluechi') && sources.includes('/var/qm/tmp'), sources.join(' '))
    const dir = booted(host)
    for (const source of sources) assert.ok(lstatSync(join(dir, source)).isDirectory(), `${source} exists at boot`)
    assert.is(lstatSync(join(dir, 'run/bluechi')).mode & 0o7777, 0o700)
    assert.equal(Object.fromEntries(onDisk(dir, '/run/bluechi')), { '/': '700 0:0 dir' })
  })
}

Boot.run()
