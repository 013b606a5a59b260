// Benchmark for issue 10: `qm-stage tree CONFIG --seed SEED` with a QM rootfs the size of a real one, against
// GNU tar doing the same work with the same archive in the same run.
//
//   node --import tsx bench/tree-seed.ts [--work DIR] [--runs N] [--sizes 0.5,1] [--cases tar,dir,gz,gzdir]
//
//   --work DIR   where the generated seeds live (default /tmp/qm-bench-tree; kept and reused)
//   --runs N     timed runs per command and case, after one warm-up (default 3)
//   --sizes      seeds in GB: 0.5 (30,000 entries) and 1 (60,000 entries)
//   --cases      tar:   --out OUT.tar  vs  tar -xf SEED -C D && tar -cf OUT -C D .
//                dir:   --out DIR      vs  tar -xf SEED -C D
//                gz:    .tar.gz seed, --out OUT.tar  vs  tar -xzf SEED.gz -C D && tar -cf OUT -C D .
//                gzdir: .tar.gz seed, --out DIR      vs  tar -xzf SEED.gz -C D
//                sync:  (informational) the tar case against tar -cf followed by sync -f OUT, since
//                       qm-stage syncs what it writes and tar does not
//
// Run `npm run build` first: the command under test is bin/qm-stage.cjs (which runs dist/cli.cjs). Seeds are written by
// bench/image-tar.ts (writeSeedTar: a QM rootfs with an image store holding whiteouts and a FIFO). Each
// command runs under `/usr/bin/time -f '%e %M'` for peak RSS, alternately with its baseline, output to a
// fresh path (made and removed outside the timing). Targets: <= 1.5x for .tar seeds, <= 1.2x for .tar.gz,
// peak RSS under 256 MB and flat from 0.5 to 1 GB: the largest peak at 1 GB within 15% of that at 0.5 GB
// (twice the entries and twice the content).

import { spawnSync } from 'node:child_process'
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { createGzip } from 'node:zlib'
import { writeSeedTar, type Shape } from './image-tar.ts'

const GENERATOR_VERSION = 1
const TAR = '/usr/bin/tar'
const TIME = '/usr/bin/time'
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const CLI = join(REPO, 'bin', 'qm-stage.cjs')
const CONFIG = join(REPO, 'examples', '02-aib-resources.qm.yaml')

interface Options {
  work: string
  runs: number
  sizes: number[]
  cases: string[]
}

function parseArgs(argv: string[]): Options {
  const options: Options = { work: '/tmp/qm-bench-tree', runs: 3, sizes: [0.5, 1], cases: ['tar', 'dir', 'gz', 'gzdir'] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = () => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${arg} needs a value`)
      return v
    }
    if (arg === '--work') options.work = resolve(value())
    else if (arg === '--runs') options.runs = Math.max(1, Number(value()))
    else if (arg === '--sizes') options.sizes = value().split(',').map(Number)
    else if (arg === '--cases') options.cases = value().split(',')
    else throw new Error(`unknown option ${arg}`)
  }
  return options
}

// ---- seeds ------------------------------------------------------------------------------------

const shapeOf = (gb: number): Shape => ({ entries: Math.round(60_000 * gb), bytes: 1e9 * gb })

async function ensureSeeds(work: string, sizes: number[]): Promise<Map<number, { tar: string; gz: string }>> {
  mkdirSync(work, { recursive: true })
  const seeds = new Map<number, { tar: string; gz: string }>()
  for (const gb of sizes) {
    const tar = join(work, `seed-${gb}g.tar`)
    const stamp = join(work, `seed-${gb}g.json`)
    const want = JSON.stringify({ version: GENERATOR_VERSION, shape: shapeOf(gb) })
    seeds.set(gb, { tar, gz: `${tar}.gz` })
    if (existsSync(tar) && existsSync(`${tar}.gz`) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) continue
    const { bavail, bsize } = statfsSync(work)
    // the seed, its gzip copy, and two outputs and an extracted copy while timing
    if (bavail * bsize < 1.2e9 * gb * 5) throw new Error(`${work}: not enough free space for a ${gb} GB seed and its outputs`)
    const started = performance.now()
    const { members, bytes } = writeSeedTar(`${tar}.tmp`, shapeOf(gb))
    renameSync(`${tar}.tmp`, tar)
    await pipeline(createReadStream(tar, { highWaterMark: 1 << 20 }), createGzip({ level: 6 }), createWriteStream(`${tar}.gz.tmp`))
    renameSync(`${tar}.gz.tmp`, `${tar}.gz`)
    writeFileSync(stamp, want)
    console.log(`generated ${tar} (+ .gz): ${members} members, ${(bytes / 1e9).toFixed(2)} GB, ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }
  return seeds
}

// ---- timing -------------------------------------------------------------------------------------

interface Run {
  wall: number
  rssMB: number
}

/** One timed run of `argv` after `prepare` (untimed); `/usr/bin/time` reports the peak RSS of the process tree's largest. */
function timeOnce(argv: string[], prepare: () => void): Run {
  prepare()
  const timeFile = join(process.env.TMPDIR ?? '/tmp', `qm-bench-time-${process.pid}`)
  try {
    const started = process.hrtime.bigint()
    const r = spawnSync(TIME, ['-f', '%e %M', '-o', timeFile, ...argv], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
    const wall = Number(process.hrtime.bigint() - started) / 1e9
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`)
    const [, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ')
    return { wall, rssMB: Number(kb) / 1024 }
  } finally {
    rmSync(timeFile, { force: true })
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

interface Side {
  argv: string[]
  prepare: () => void
}

interface Result {
  name: string
  gb: number
  ours: { wall: number; rss: number }
  base: { wall: number; rss: number }
  target?: number
}

/** Both commands alternately, `runs` times each after a warm-up of each, so drifting load hits both. */
function compare(name: string, gb: number, ours: Side, base: Side, runs: number, target?: number): Result {
  timeOnce(ours.argv, ours.prepare)
  timeOnce(base.argv, base.prepare)
  const a: Run[] = []
  const b: Run[] = []
  for (let i = 0; i < runs; i++) {
    a.push(timeOnce(ours.argv, ours.prepare))
    b.push(timeOnce(base.argv, base.prepare))
  }
  const sum = (rs: Run[]) => ({ wall: median(rs.map((r) => r.wall)), rss: Math.max(...rs.map((r) => r.rssMB)) })
  const result: Result = { name, gb, ours: sum(a), base: sum(b), ...(target ? { target } : {}) }
  const ratio = result.ours.wall / result.base.wall
  const verdict = target === undefined ? '' : `<= ${target}x ${ratio <= target ? 'ok' : 'MISSED'}`
  console.log(
    `| ${name.padEnd(50)} | ${result.ours.wall.toFixed(2).padStart(7)} s | ${result.ours.rss.toFixed(0).padStart(4)} MB | ` +
      `${result.base.wall.toFixed(2).padStart(7)} s | ${`${ratio.toFixed(2)}x`.padStart(6)} | ${verdict.padEnd(11)} |`,
  )
  return result
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2))
  for (const tool of [TAR, TIME, CLI]) if (!existsSync(tool)) throw new Error(`${tool} is needed${tool === CLI ? ' (npm run build)' : ''}`)
  const seeds = await ensureSeeds(options.work, options.sizes)
  const w = options.work
  const out = join(w, 'out.tar')
  const outDir = join(w, 'out-dir')
  const extracted = join(w, 'extracted')
  const clean = () => {
    for (const p of [out, outDir, extracted]) rmSync(p, { recursive: true, force: true })
  }
  const fresh = () => {
    clean()
    mkdirSync(extracted)
  }
  const qm = (seed: string, to: string): Side => ({ argv: [process.execPath, CLI, 'tree', CONFIG, '--seed', seed, '--out', to], prepare: clean })
  const sh = (script: string): Side => ({ argv: ['/bin/sh', '-c', script], prepare: fresh })

  console.log(`node ${process.version}, ${spawnSync(TAR, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}, ${options.runs} runs each, interleaved, medians`)
  console.log(`config ${CONFIG}\n`)
  console.log(`| ${'case'.padEnd(50)} | qm-stage  | peak RSS | baseline  | ratio  | target      |`)
  console.log(`|${'-'.repeat(52)}|-----------|----------|-----------|--------|-------------|`)
  const results: Result[] = []
  for (const [gb, { tar, gz }] of seeds) {
    const q = (p: string) => `'${p}'`
    for (const c of options.cases) {
      if (c === 'tar') results.push(compare(`${gb} GB .tar, --out X.tar vs tar -xf && tar -cf`, gb, qm(tar, out), sh(`${TAR} -xf ${q(tar)} -C ${q(extracted)} && ${TAR} -cf ${q(out)} -C ${q(extracted)} .`), options.runs, 1.5))
      if (c === 'dir') results.push(compare(`${gb} GB .tar, --out DIR vs tar -xf`, gb, qm(tar, outDir), sh(`${TAR} -xf ${q(tar)} -C ${q(extracted)}`), options.runs, 1.5))
      if (c === 'gz') results.push(compare(`${gb} GB .tar.gz, --out X.tar vs tar -xzf && tar -cf`, gb, qm(gz, out), sh(`${TAR} -xzf ${q(gz)} -C ${q(extracted)} && ${TAR} -cf ${q(out)} -C ${q(extracted)} .`), options.runs, 1.2))
      if (c === 'gzdir') results.push(compare(`${gb} GB .tar.gz, --out DIR vs tar -xzf`, gb, qm(gz, outDir), sh(`${TAR} -xzf ${q(gz)} -C ${q(extracted)}`), options.runs, 1.2))
      if (c === 'sync') results.push(compare(`${gb} GB .tar vs tar -xf && tar -cf && sync -f`, gb, qm(tar, out), sh(`${TAR} -xf ${q(tar)} -C ${q(extracted)} && ${TAR} -cf ${q(out)} -C ${q(extracted)} . && sync -f ${q(out)}`), options.runs))
    }
  }
  clean()

  const peak = Math.max(...results.map((r) => r.ours.rss))
  console.log(`\npeak RSS of qm-stage: ${peak.toFixed(0)} MB (target < 256 MB): ${peak < 256 ? 'ok' : 'MISSED'}`)
  const sizes = [...seeds.keys()].sort((a, b) => a - b)
  if (sizes.length > 1) {
    const at = (gb: number) => Math.max(...results.filter((r) => r.gb === gb).map((r) => r.ours.rss))
    const [small, large] = [sizes[0]!, sizes.at(-1)!]
    const growth = at(large) - at(small)
    const flat = at(large) <= at(small) * 1.15
    console.log(
      `peak RSS ${small} GB -> ${large} GB: ${at(small).toFixed(0)} -> ${at(large).toFixed(0)} MB (${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MB for ` +
        `${shapeOf(large).entries - shapeOf(small).entries} more entries and ${((large - small) * 1e3).toFixed(0)} MB more content; flat, within 15%: ${flat ? 'ok' : 'MISSED'})`,
    )
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e)
  process.exitCode = 1
})
