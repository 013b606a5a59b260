// Build step: run the CLI bundle once (rendering the default QM, output discarded) and save
// V8's code cache for it, with the functions that ran compiled, next to the bundle.
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'

const { runBundle } = createRequire(import.meta.url)('../bin/qm-stage.cjs') as { runBundle: (bundle: string) => import('node:vm').Script }

const bundle = resolve('dist/cli.cjs')
// The bundle is held in memory as one string for the life of the process: one non-ASCII character makes all of it
// two bytes a character (1.6 MB more peak memory, measured). Write such characters as \u escapes.
const nonAscii = readFileSync(bundle, 'latin1').search(/[^\x00-\x7f]/)
if (nonAscii !== -1) throw new Error(`${bundle}: a non-ASCII byte at offset ${nonAscii}; write the character as a \\u escape in its source`)
process.argv = [process.argv[0]!, bundle, 'render']
const write = process.stdout.write.bind(process.stdout)
process.stdout.write = () => true
const script = runBundle(bundle)
process.once('beforeExit', () => {
  process.stdout.write = write
  writeFileSync(`${bundle}.cache`, script.createCachedData())
})
