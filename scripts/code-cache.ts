// Build step: run the CLI bundle once (rendering the default QM, output discarded) and save
// V8's code cache for it, with the functions that ran compiled, next to the bundle.
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'

const { runBundle } = createRequire(import.meta.url)('../bin/qm-stage.cjs') as { runBundle: (bundle: string) => import('node:vm').Script }

const bundle = resolve('dist/cli.cjs')
process.argv = [process.argv[0]!, bundle, 'render']
const write = process.stdout.write.bind(process.stdout)
process.stdout.write = () => true
const script = runBundle(bundle)
process.once('beforeExit', () => {
  process.stdout.write = write
  writeFileSync(`${bundle}.cache`, script.createCachedData())
})
