// Benchmark for issue 10: render, tree and inspect grow linearly with the number of units and files.
//
//   node --import tsx bench/scale.ts [--work DIR] [--runs N] [--counts 500,5000]
//
// For each count N it writes a config with N nested containers and N add_files (scaleConfig), then
// times `qm-stage render` of it, `qm-stage tree` of it to a tar, and `qm-stage inspect` of that tar (N nested
// Quadlets), each the median of --runs runs (default 5), interleaved with `node -e 0` as the baseline of the
// same run (node's own start); and `qm-stage render` of N files each in a directory of its own (spreadConfig)
// and of N volumes of qm.container (volumesConfig).
// Targets at N = 5000: render and tree under 3 s, inspect under 2 s; and linear: time per item at the largest N
// within 2x of that at the smallest (a quadratic step would be 10x at 500 -> 5000). Run `npm run build` first.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const CLI = join(REPO, 'bin', 'qm-stage.cjs')

function parseArgs(argv: string[]) {
  const options = { work: '/tmp/qm-bench-scale', runs: 5, counts: [500, 5000] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = () => argv[++i] ?? ''
    if (arg === '--work') options.work = resolve(value())
    else if (arg === '--runs') options.runs = Math.max(1, Number(value()))
    else if (arg === '--counts') options.counts = value().split(',').map(Number)
    else throw new Error(`unknown option ${arg}`)
  }
  return options
}

/** N nested containers (pulled, so no image needs embedding) and N files for QM's /etc. */
export function scaleConfig(n: number): string {
  let text = 'nested:\n'
  for (let i = 0; i < n; i++) text += `  - { name: app-${i}, image: quay.io/example/app-${i}:latest, pull: missing, oom_score_adjust: ${600 + (i % 300)} }\n`
  text += 'content:\n  add_files:\n'
  for (let i = 0; i < n; i++) text += `    - { path: /etc/app/conf.d/f-${i}.conf, text: "setting = ${i}\\n" }\n`
  return text
}

/** N files, each in a directory of its own: what a check of every directory against every other would make quadratic. */
export function spreadConfig(n: number): string {
  let text = 'content:\n  add_files:\n'
  for (let i = 0; i < n; i++) text += `    - { path: /etc/app/d-${i}/f.conf, text: "setting = ${i}\\n" }\n`
  return text
}

/** N volumes of qm.container, each a host directory of its own: checked against one another for nesting. */
export function volumesConfig(n: number): string {
  let text = 'container:\n  volumes:\n'
  for (let i = 0; i < n; i++) text += `    - /run/ipc/v-${i}:/run/v-${i}\n`
  return text
}

function time(argv: string[]): number {
  const started = process.hrtime.bigint()
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  const wall = Number(process.hrtime.bigint() - started) / 1e9
  // inspect exits 1 for findings at --fail-on: --fail-on never keeps that out
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`)
  return wall
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

function main(): void {
  const options = parseArgs(process.argv.slice(2))
  if (!existsSync(CLI)) throw new Error(`${CLI} is needed (npm run build)`)
  mkdirSync(options.work, { recursive: true })
  const node = [process.execPath, '-e', '0']
  const rows: { n: number; what: string; wall: number; base: number; target: number }[] = []
  console.log(`node ${process.version}, ${options.runs} runs each, interleaved with node -e 0, medians\n`)
  console.log('| N | command | qm-stage | node -e 0 | per item | target |')
  console.log('|---|---|---|---|---|---|')
  for (const n of options.counts) {
    const config = join(options.work, `scale-${n}.qm.yaml`)
    const tar = join(options.work, `scale-${n}.tar`)
    const spread = join(options.work, `spread-${n}.qm.yaml`)
    writeFileSync(config, scaleConfig(n))
    writeFileSync(spread, spreadConfig(n))
    const volumes = join(options.work, `volumes-${n}.qm.yaml`)
    writeFileSync(volumes, volumesConfig(n))
    const commands: [string, string[], number, () => void][] = [
      ['render', [process.execPath, CLI, 'render', config], 3, () => {}],
      ['tree --out X.tar', [process.execPath, CLI, 'tree', config, '--out', tar], 3, () => rmSync(tar, { force: true })],
      ['inspect X.tar', [process.execPath, CLI, 'inspect', tar, '--fail-on', 'never'], 2, () => {}],
      ['render, N files in N directories', [process.execPath, CLI, 'render', spread], 3, () => {}],
      ['render, N volumes', [process.execPath, CLI, 'render', volumes], 3, () => {}],
    ]
    for (const [what, argv, target, prepare] of commands) {
      prepare()
      time(argv)
      time(node)
      const a: number[] = []
      const b: number[] = []
      for (let i = 0; i < options.runs; i++) {
        prepare()
        a.push(time(argv))
        b.push(time(node))
      }
      const row = { n, what, wall: median(a), base: median(b), target }
      rows.push(row)
      console.log(`| ${n} | ${what} | ${row.wall.toFixed(2)} s | ${row.base.toFixed(2)} s | ${(((row.wall - row.base) / n) * 1e6).toFixed(0)} µs | < ${target} s ${n < 5000 ? '' : row.wall < target ? 'ok' : 'MISSED'} |`)
    }
  }
  const [small, large] = [Math.min(...options.counts), Math.max(...options.counts)]
  if (small !== large) {
    console.log('')
    for (const what of new Set(rows.map((r) => r.what))) {
      const per = (n: number) => {
        const r = rows.find((x) => x.n === n && x.what === what)!
        return (r.wall - r.base) / n
      }
      const growth = per(large) / per(small)
      console.log(`${what}: time per item at N=${large} is ${growth.toFixed(2)}x that at N=${small} (linear: <= 2x): ${growth <= 2 ? 'ok' : 'MISSED'}`)
    }
  }
}

main()
