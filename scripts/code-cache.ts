// Build step: run the CLI bundle once (rendering the default QM, output discarded) and save
// V8's code cache for it, with the functions that ran compiled, next to the bundle.
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { runBundle } from '../src/launch.ts'

const bundle = resolve('dist/cli.cjs')
process.argv = [process.argv[0]!, bundle, 'render']
const write = process.stdout.write.bind(process.stdout)
process.stdout.write = () => true
const script = runBundle(bundle)
process.once('beforeExit', () => {
  process.stdout.write = write
  writeFileSync(`${bundle}.cache`, script.createCachedData())
})
