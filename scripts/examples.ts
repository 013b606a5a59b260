// The rendered forms of examples/*.qm.yaml that manifests/ holds: every example as an
// osbuild-mpp include (.ipp.yml), as a plain manifest (.json) when plain osbuild can
// build it, and as automotive-image-builder manifest content (.aib.yml) when AIB can. `npm run manifests` writes them; test/examples.test.ts keeps them in sync.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { render } from '../src/render/render.ts'

export const EXAMPLES_DIR = 'examples'
export const MANIFESTS_DIR = 'manifests'

export const exampleConfigs = (root = '.') =>
  readdirSync(join(root, EXAMPLES_DIR))
    .filter((f) => f.endsWith('.qm.yaml'))
    .sort()

/** manifests/ file name -> content, rendered from the examples. Throws if an example is invalid. */
export function renderedExamples(root = '.'): Map<string, string> {
  const out = new Map<string, string>()
  for (const name of exampleConfigs(root)) {
    const file = join(EXAMPLES_DIR, name)
    const bytes = readFileSync(join(root, file))
    const base = name.replace(/\.qm\.yaml$/, '')
    const mpp = render(bytes, { file: join(root, file), format: 'mpp' })
    if (mpp.output === undefined) throw new Error(`${file}: ${mpp.errors.map((e) => e.message).join('; ')}`)
    out.set(`${base}.ipp.yml`, mpp.output)
    const manifest = render(bytes, { file: join(root, file), format: 'manifest' })
    if (manifest.output !== undefined) out.set(`${base}.json`, manifest.output)
    else if (manifest.errors.some((e) => e.code !== 'FORMAT_UNSUPPORTED')) throw new Error(`${file}: ${manifest.errors[0]!.message}`)
    const aib = render(bytes, { file: join(root, file), format: 'aib', manifestDir: join(root, MANIFESTS_DIR) })
    if (aib.output !== undefined) out.set(`${base}.aib.yml`, aib.output)
    else if (aib.errors.some((e) => e.code !== 'FORMAT_UNSUPPORTED')) throw new Error(`${file}: ${aib.errors[0]!.message}`)
  }
  return out
}
