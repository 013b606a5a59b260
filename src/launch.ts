#!/usr/bin/env node
// The qm-stage command: runs the CLI bundle (dist/cli.cjs) from the V8 code cache the build
// made for it (dist/cli.cjs.cache), so start-up skips compiling half a megabyte of JavaScript.
// A cache V8 rejects (another node version) just means a normal compile; nothing is written.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { Script } from 'node:vm'

/** Compile the bundle (from the cache when given) and run it as node runs a CommonJS module. */
export function runBundle(bundle: string, cachedData?: Buffer): Script {
  const source = readFileSync(bundle, 'utf8').replace(/^#!.*/, '')
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`
  const script = new Script(wrapped, { filename: bundle, ...(cachedData ? { cachedData } : {}) })
  const module = { exports: {} }
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle))
  return script
}

// when this file is the bundled bin (CommonJS), start the CLI that sits beside it
if (typeof require !== 'undefined' && require.main === module) {
  const bundle = `${__dirname}/cli.cjs`
  runBundle(bundle, existsSync(`${bundle}.cache`) ? readFileSync(`${bundle}.cache`) : undefined)
}
