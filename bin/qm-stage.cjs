#!/usr/bin/env node
// The qm-stage command. In the package (prepack builds dist/) it runs the CLI bundle
// dist/cli.cjs from the V8 code cache the build made for it, so start-up skips compiling half
// a megabyte of JavaScript; a cache V8 rejects (another node version) just means a normal
// compile. In a clone without dist/ it runs the TypeScript source through tsx (a
// devDependency), so `npm ci && npx qm-stage render` works without an install-time build.
'use strict'
// With a seed, the young generation stays at its first size. V8 grows it as a long run goes on, and `tree` of a
// seed streams gigabytes past a table of a few MB: a grown nursery costs 25 MB more peak memory at 1 GB than at
// 0.5 GB (bench/tree-seed.ts) and buys 8% in speed. Short runs that keep what they make (render, inspect of
// thousands of units) keep that speed. Set before anything is allocated in earnest.
const seeded = process.argv.some((arg) => arg === '--seed' || arg.startsWith('--seed='))
const GC_FLAGS = seeded ? ['--semi-space-growth-factor=1'] : []
if (seeded) require('node:v8').setFlagsFromString(GC_FLAGS.join(' '))
const { spawnSync } = require('node:child_process')
const { existsSync, readFileSync } = require('node:fs')
const { createRequire } = require('node:module')
const { dirname, join } = require('node:path')
const { pathToFileURL } = require('node:url')
const { Script } = require('node:vm')

const ROOT = join(__dirname, '..')
const BUNDLE = join(ROOT, 'dist', 'cli.cjs')

/** Compile the bundle (from the cache when given) and run it as node runs a CommonJS module. */
function runBundle(bundle, cachedData) {
  const source = readFileSync(bundle, 'utf8').replace(/^#!.*/, '')
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`
  const script = new Script(wrapped, { filename: bundle, ...(cachedData ? { cachedData } : {}) })
  const module = { exports: {} }
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle))
  return script
}

/** The CLI from src/ in a child node with tsx's loader; the compiled validator is generated first if missing. */
function runSource() {
  let loader
  try {
    loader = pathToFileURL(require.resolve('tsx', { paths: [ROOT] })).href
  } catch {
    process.stderr.write('qm-stage: dist/ is not built and tsx is not installed: run npm ci, or npm run build\n')
    process.exit(2)
  }
  const node = (args, options) => spawnSync(process.execPath, [...GC_FLAGS, '--import', loader, ...args], { stdio: 'inherit', ...options })
  if (!existsSync(join(ROOT, 'src', 'config', 'validator.generated.ts'))) {
    const made = node([join(ROOT, 'scripts', 'gen-validator.ts')], { cwd: ROOT })
    if (made.status !== 0) process.exit(made.status ?? 1)
  }
  const run = node([join(ROOT, 'src', 'bin.ts'), ...process.argv.slice(2)])
  if (run.signal) process.kill(process.pid, run.signal)
  process.exit(run.status ?? 1)
}

module.exports = { runBundle }

if (require.main === module) {
  if (existsSync(BUNDLE) && !process.env.QM_STAGE_FROM_SOURCE) runBundle(BUNDLE, existsSync(`${BUNDLE}.cache`) ? readFileSync(`${BUNDLE}.cache`) : undefined)
  else runSource()
}
