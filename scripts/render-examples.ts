// npm run manifests: (re)write manifests/ from examples/.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MANIFESTS_DIR, renderedExamples } from './examples.ts'

const rendered = renderedExamples()
mkdirSync(MANIFESTS_DIR, { recursive: true })
for (const stale of readdirSync(MANIFESTS_DIR).filter((f) => (f.endsWith('.json') || f.endsWith('.ipp.yml')) && !rendered.has(f))) {
  rmSync(join(MANIFESTS_DIR, stale))
}
for (const [name, content] of rendered) writeFileSync(join(MANIFESTS_DIR, name), content)
console.log(`wrote ${rendered.size} files to ${MANIFESTS_DIR}/`)
