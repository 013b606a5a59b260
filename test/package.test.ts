// What `npm pack` ships: the built CLI and library, the docs the CLI points to, working
// examples and the manifests they import, the LICENSE; no sources, tests or tools.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { parse } from 'yaml'

// --ignore-scripts: list what is there without running prepack's build inside the test
const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { files: { path: string }[] }[]
const files = new Set(packed[0]!.files.map((f) => f.path))

const Pack = suite('npm pack --dry-run --json')

Pack('ships the command, LICENSE, README, docs, examples and the manifests they import', () => {
  for (const f of ['package.json', 'LICENSE', 'README.md', 'bin/qm-stage.cjs', 'docs/inspect-json.md', 'examples/README.md', 'examples/rootfs/tiny-rootfs.tar']) assert.ok(files.has(f), f)
  for (const f of readFileSync('examples/README.md', 'utf8').match(/[\w-]+\.qm\.yaml/g) ?? []) assert.ok(files.has(`examples/${f}`), f)
  // every manifest an example imports is in the package at the path the example names
  const imports = [...files].filter((f) => f.startsWith('examples/') && f.endsWith('.mpp.yml'))
  assert.ok(imports.length >= 2)
  for (const example of imports) {
    const doc = parse(readFileSync(example, 'utf8')) as { pipelines: { 'mpp-import-pipelines'?: { path: string } }[] }
    const paths = doc.pipelines.flatMap((p) => (p['mpp-import-pipelines'] ? [p['mpp-import-pipelines'].path] : []))
    assert.ok(paths.length > 0, example)
    // automotive-image-builder finds imports in its --include directories (manifests, examples/aib), not next to the manifest
    const dirs = example.startsWith('examples/aib/') ? ['manifests', dirname(example)] : [dirname(example)]
    for (const p of paths) assert.ok(dirs.some((d) => files.has(normalize(join(d, p)))), `${example} imports ${p}`)
  }
})

Pack('the LICENSE is the Apache License 2.0 that package.json names', () => {
  const license = readFileSync('LICENSE', 'utf8')
  assert.is(JSON.parse(readFileSync('package.json', 'utf8')).license, 'Apache-2.0')
  assert.match(license, /^\s+Apache License\n\s+Version 2\.0, January 2004\n/)
  assert.match(license, /END OF TERMS AND CONDITIONS/)
  assert.ok(license.length > 10_000, 'the full text, not a notice')
})

Pack('no sources, tests, tools or generated TypeScript; the built files when built', () => {
  for (const f of files) assert.not.match(f, /^(src|test|scripts|bench|stages|\.ci|node_modules)\/|\.ts$(?<!\.d\.ts$)|tsconfig/, f)
  if (!existsSync('dist/cli.cjs')) return
  for (const f of ['dist/cli.cjs', 'dist/cli.cjs.cache', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/config/types.generated.d.ts']) assert.ok(files.has(f), f)
})

Pack('building is prepack\'s, not an install script\'s: installing the package runs nothing', () => {
  const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>
  for (const hook of ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish']) assert.is(scripts[hook], undefined, hook)
  assert.match(scripts.prepack!, /npm run build/)
})

Pack('dependencies are what the shipped code imports; tools and tests\' packages are devDependencies', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string> }
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
  const imported = new Set<string>()
  for (const f of sources('src')) {
    for (const m of readFileSync(f, 'utf8').matchAll(/(?:from|import\()\s*'([@a-z][a-z0-9._/-]*)'/g)) {
      const name = m[1]!.startsWith('@') ? m[1]!.split('/').slice(0, 2).join('/') : m[1]!.split('/')[0]!
      if (!m[1]!.startsWith('node:')) imported.add(name)
    }
  }
  // the bundle leaves its --external packages to be installed beside it
  for (const m of pkg.scripts.build!.matchAll(/--external:(\S+)/g)) assert.ok(imported.has(m[1]!), `external ${m[1]} is imported by src/`)
  assert.equal(Object.keys(pkg.dependencies).sort(), [...imported].sort())
})

Pack.run()
