// Session check, not a test (CI has no osbuild): build a config's manifest-format output
// with real osbuild, run `qm-stage tree` on the same config with the same seed, and
// compare the two trees entry by entry (type, mode, owner, size, contents, link target,
// SELinux label).
//
//   node --import tsx scripts/compare-osbuild.ts CONFIG SEED [OSBUILD_SRC]
//
// OSBUILD_SRC defaults to /tmp/osbuild-src (see ../shared/tools/osbuild-extract.sh).
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { render } from '../src/render/render.ts'
import { readSeed } from '../src/tree/export.ts'
import { runPlan } from '../src/tree/qm-tree.ts'
import { readFile, walk, type Tree } from '../src/tree/vtree.ts'

const [config, seedPath, osbuildSrc = '/tmp/osbuild-src'] = process.argv.slice(2)
if (!config || !seedPath) throw new Error('usage: compare-osbuild.ts CONFIG SEED [OSBUILD_SRC]')

function describe(tree: Tree, labels?: Map<string, string>): Map<string, string> {
  const out = new Map<string, string>()
  for (const e of walk(tree)) {
    const body = e.type === 'file' ? createHash('sha256').update(readFile(tree, e.path)).digest('hex').slice(0, 16) : ''
    const label = labels ? labels.get(e.path) : e.label
    out.set(e.path, [e.type, e.mode.toString(8), `${e.uid}:${e.gid}`, e.type === 'file' ? e.size : '', body, e.target ?? '', label ?? ''].join(' '))
  }
  return out
}

/** security.selinux of every path under `dir`, read with Python (Node has no xattr API). */
function labelsOf(dir: string): Map<string, string> {
  const py = `import os,sys,json
root=sys.argv[1]; out={}
for d,dirs,files in os.walk(root):
  for n in [d]+[os.path.join(d,f) for f in dirs+files]:
    try: out['/'+os.path.relpath(n,root) if n!=root else '/']=os.getxattr(n,'security.selinux',follow_symlinks=False).rstrip(b'\\0').decode()
    except OSError: pass
print(json.dumps(out))`
  return new Map(Object.entries(JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, dir], { encoding: 'utf8' })) as Record<string, string>).map(([k, v]) => [k.replace(/\/\.$/, ''), v]))
}

async function main() {
  const bytes = readFileSync(config!)
  const manifest = render(bytes, { file: config!, format: 'manifest' })
  if (!manifest.output) throw new Error(manifest.errors.map((e) => e.message).join('\n'))
  const work = mkdtempSync(join(tmpdir(), 'qm-compare-'))
  writeFileSync(join(work, 'manifest.json'), manifest.output)
  execFileSync('bash', [join(process.cwd(), '..', 'shared', 'tools', 'osbuild-check.sh'), '--build', osbuildSrc, join(work, 'manifest.json'), 'qm_host', join(work, 'osbuild')], { stdio: 'inherit' })
  const real = join(work, 'osbuild', 'qm_host')
  const theirs = describe(await readSeed(real), labelsOf(real))
  const ours = describe(runPlan(manifest.plan!, await readSeed(seedPath!)).host)
  const paths = [...new Set([...theirs.keys(), ...ours.keys()])].sort()
  let differences = 0
  for (const path of paths) {
    if (theirs.get(path) === ours.get(path)) continue
    differences++
    console.log(`${path}\n  osbuild:  ${theirs.get(path) ?? '(absent)'}\n  qm-stage: ${ours.get(path) ?? '(absent)'}`)
  }
  console.log(`${paths.length} paths compared, ${differences} differences (${work})`)
  process.exitCode = differences === 0 ? 0 : 1
}

void main()
