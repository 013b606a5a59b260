// Benchmark for issue 4: reading a built image tree, against GNU tar listing the same archive.
//
//   node --import tsx bench/inspect-read.ts [options]
//
//   --work DIR     where the generated tars live (default /tmp/qm-bench; kept and reused between runs)
//   --cmd 'CMD'    the command under test; the archive path is appended. Default: a compiled wrapper around
//                  readTree with the interest a QM report needs (bench/read-tree-cli.ts). When inspect exists,
//                  point it there: --cmd 'node dist/src/bin.js inspect' (after npm run build).
//   --runs N       timed runs per command and case, after one warm-up (default 5; gzip cases use max(3, N/2))
//   --sizes 1,2    which archives, in GB: 1 (~50,000 members) and 2 (~100,000 members)
//   --stdin        also time both archives through a pipe (`cat F | CMD -` vs `cat F | tar -t[z]vf -`), where
//                  nothing can seek; informational, no target (peak RSS there is the largest of cat and the reader)
//
// It generates deterministic image-shaped tars (bench/image-tar.ts) and gzip copies of them, once: about
// 4.5 GB for both sizes, so it checks free space first. Then, per archive, it runs the command under test and
// `tar -tvf` (uncompressed) or `tar -tzvf` (gzip) alternately, output to /dev/null, each under
// `/usr/bin/time -f '%e %M'` for peak RSS, wall time taken around the process. It prints median and best wall
// time, peak RSS, and the ratio to tar, against the targets: <= 1.5x tar -tvf, <= 1.2x tar -tzvf, peak RSS
// under 100 MB and not growing from the 1 GB to the 2 GB archive. Files are read from the page cache: run it
// on a quiet machine, the ratios are what matters.

import { spawnSync } from 'node:child_process'
import { closeSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { createGzip } from 'node:zlib'
import { writeImageTar, type Shape } from './image-tar.ts'

/** Bump when image-tar.ts changes what it writes, so stale archives are made again. */
const GENERATOR_VERSION = 2
const TAR = '/usr/bin/tar'
const TIME = '/usr/bin/time'
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..')

interface Options {
  work: string
  cmd: string[] | undefined
  runs: number
  sizes: number[]
  stdin: boolean
}

function parseArgs(argv: string[]): Options {
  const options: Options = { work: '/tmp/qm-bench', cmd: undefined, runs: 5, sizes: [1, 2], stdin: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = () => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${arg} needs a value`)
      return v
    }
    if (arg === '--work') options.work = resolve(value())
    else if (arg === '--cmd') options.cmd = value().split(' ').filter(Boolean)
    else if (arg === '--runs') options.runs = Math.max(1, Number(value()))
    else if (arg === '--sizes') options.sizes = value().split(',').map(Number)
    else if (arg === '--stdin') options.stdin = true
    else throw new Error(`unknown option ${arg}`)
  }
  return options
}

// ---- archives --------------------------------------------------------------------------------

const shapeOf = (gb: number): Shape => ({ entries: 50_000 * gb, bytes: 1e9 * gb })

async function ensureArchives(work: string, sizes: number[]): Promise<Map<number, { tar: string; gz: string }>> {
  mkdirSync(work, { recursive: true })
  const archives = new Map<number, { tar: string; gz: string }>()
  const missing: number[] = []
  for (const gb of sizes) {
    const tar = join(work, `image-${gb}g.tar`)
    const stamp = join(work, `image-${gb}g.json`)
    const want = JSON.stringify({ version: GENERATOR_VERSION, shape: shapeOf(gb) })
    const fresh = existsSync(tar) && existsSync(`${tar}.gz`) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want
    if (!fresh) missing.push(gb)
    archives.set(gb, { tar, gz: `${tar}.gz` })
  }
  if (missing.length === 0) return archives

  const need = missing.reduce((n, gb) => n + 1.1e9 * gb * 1.6, 0) // the tar, and its gzip copy (~55%)
  const { bavail, bsize } = statfsSync(work)
  const free = bavail * bsize
  if (free < need * 1.2) throw new Error(`${work}: ${(free / 1e9).toFixed(1)} GB free, generating needs about ${(need / 1e9).toFixed(1)} GB`)
  console.log(`generating ${missing.map((gb) => `${gb} GB`).join(' and ')} in ${work} (${(free / 1e9).toFixed(0)} GB free)...`)

  const gzips: Promise<void>[] = []
  for (const gb of missing) {
    const { tar, gz } = archives.get(gb)!
    const started = performance.now()
    const { members, bytes } = writeImageTar(`${tar}.tmp`, shapeOf(gb))
    renameSync(`${tar}.tmp`, tar)
    console.log(`  ${tar}: ${members} members, ${(bytes / 1e9).toFixed(2)} GB, ${((performance.now() - started) / 1000).toFixed(1)} s`)
    // Compressing takes longest; each runs on its own zlib thread while the next tar is written.
    gzips.push(
      pipeline(createReadStream(tar, { highWaterMark: 1 << 20 }), createGzip({ level: 6 }), createWriteStream(`${gz}.tmp`)).then(() => {
        renameSync(`${gz}.tmp`, gz)
        writeFileSync(join(work, `image-${gb}g.json`), JSON.stringify({ version: GENERATOR_VERSION, shape: shapeOf(gb) }))
        console.log(`  ${gz}: done`)
      }),
    )
  }
  await Promise.all(gzips)
  return archives
}

// ---- the command under test ----------------------------------------------------------------------

/** Compile the wrapper (and the reader it imports) to plain JavaScript, so no TypeScript loader is timed. */
function buildWrapper(work: string): string[] {
  const out = join(work, 'build')
  rmSync(out, { recursive: true, force: true })
  const tsc = join(REPO, 'node_modules', '.bin', 'tsc')
  const r = spawnSync(tsc, ['-p', join(REPO, 'bench', 'tsconfig.json'), '--outDir', out], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`compiling the wrapper failed:\n${r.stdout}${r.stderr}`)
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n')
  return [process.execPath, join(out, 'bench', 'read-tree-cli.js')]
}

// ---- timing -----------------------------------------------------------------------------------

interface Run {
  wall: number
  rssMB: number
}

function timeOnce(argv: string[]): Run {
  const timeFile = join(process.env.TMPDIR ?? '/tmp', `qm-bench-time-${process.pid}`)
  const devnull = openSync('/dev/null', 'w')
  try {
    const started = process.hrtime.bigint()
    const r = spawnSync(TIME, ['-f', '%e %M', '-o', timeFile, ...argv], { stdio: ['ignore', devnull, 'pipe'], encoding: 'utf8' })
    const wall = Number(process.hrtime.bigint() - started) / 1e9
    // 1 is inspect's "findings at or above --fail-on": a complete run. Anything else is a failure.
    if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`)
    const [, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ')
    return { wall, rssMB: Number(kb) / 1024 }
  } finally {
    closeSync(devnull)
    rmSync(timeFile, { force: true })
  }
}

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

interface Result {
  name: string
  ours: { wall: number; best: number; rss: number }
  tar: { wall: number; best: number; rss: number }
  target?: number
}

/** Run both commands alternately, `runs` times each after a warm-up, so drift in machine load hits both. */
function compare(name: string, ours: string[], tar: string[], runs: number, target?: number): Result {
  timeOnce(ours)
  timeOnce(tar)
  const a: Run[] = []
  const b: Run[] = []
  for (let i = 0; i < runs; i++) {
    a.push(timeOnce(ours))
    b.push(timeOnce(tar))
  }
  const sum = (rs: Run[]) => ({ wall: median(rs.map((r) => r.wall)), best: Math.min(...rs.map((r) => r.wall)), rss: Math.max(...rs.map((r) => r.rssMB)) })
  const result: Result = { name, ours: sum(a), tar: sum(b), ...(target ? { target } : {}) }
  report(result)
  return result
}

const HEADER = [
  '| case                         | under test, median (best) | peak RSS | tar, median (best)      | peak RSS | ratio | target       |',
  '|------------------------------|---------------------------|----------|-------------------------|----------|-------|--------------|',
]

function report(r: Result): void {
  const ratio = r.ours.wall / r.tar.wall
  const verdict = r.target === undefined ? '' : `<= ${r.target}x ${ratio <= r.target ? 'ok' : 'MISSED'}`
  const wall = (x: { wall: number; best: number }) => `${x.wall.toFixed(3)} s (${x.best.toFixed(3)} s)`
  const mb = (x: { rss: number }) => `${x.rss.toFixed(1)} MB`
  console.log(
    `| ${r.name.padEnd(28)} | ${wall(r.ours).padEnd(25)} | ${mb(r.ours).padStart(8)} | ${wall(r.tar).padEnd(23)} | ${mb(r.tar).padStart(8)} ` +
      `| ${`${ratio.toFixed(2)}x`.padStart(5)} | ${verdict.padEnd(12)} |`,
  )
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2))
  for (const tool of [TAR, TIME]) if (!existsSync(tool)) throw new Error(`${tool} is needed`)
  const archives = await ensureArchives(options.work, options.sizes)
  const cmd = options.cmd ?? buildWrapper(options.work)
  const gzRuns = Math.max(3, Math.ceil(options.runs / 2))

  console.log(`\ncommand under test: ${cmd.join(' ')} ARCHIVE`)
  for (const { tar } of archives.values()) {
    const r = spawnSync(cmd[0]!, [...cmd.slice(1), tar], { encoding: 'utf8' })
    console.log(`  ${tar}: ${(r.stdout || r.stderr).trim().split('\n')[0]}`)
  }
  console.log(`node ${process.version}, ${spawnSync(TAR, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}, ${options.runs} runs (gzip ${gzRuns}), medians\n`)
  for (const line of HEADER) console.log(line)

  const results: Result[] = []
  for (const [gb, { tar, gz }] of archives) {
    results.push(compare(`${gb} GB .tar, tar -tvf`, [...cmd, tar], [TAR, '-tvf', tar], options.runs, 1.5))
    results.push(compare(`${gb} GB .tar.gz, tar -tzvf`, [...cmd, gz], [TAR, '-tzvf', gz], gzRuns, 1.2))
    if (options.stdin) {
      // Through a real pipe, so neither side can seek: `cat FILE | CMD -`.
      const piped = (argv: string[], file: string) => ['sh', '-c', `cat ${quote(file)} | ${argv.map(quote).join(' ')}`]
      results.push(compare(`${gb} GB .tar piped, tar -tvf -`, piped([...cmd, '-'], tar), piped([TAR, '-tvf', '-'], tar), gzRuns))
      results.push(compare(`${gb} GB .tar.gz piped, -tzvf -`, piped([...cmd, '-'], gz), piped([TAR, '-tzvf', '-'], gz), gzRuns))
    }
  }

  const peak = Math.max(...results.map((r) => r.ours.rss))
  console.log(`\npeak RSS of the command under test: ${peak.toFixed(1)} MB (target < 100 MB): ${peak < 100 ? 'ok' : 'MISSED'}`)
  if (archives.has(1) && archives.has(2)) {
    const at = (gb: number) => Math.max(...results.filter((r) => r.name.startsWith(`${gb} GB`)).map((r) => r.ours.rss))
    const growth = at(2) - at(1)
    // "Not growing": within 10% of the smaller one, which is allocator noise, not a per-member cost.
    console.log(`RSS 1 GB -> 2 GB: ${at(1).toFixed(1)} -> ${at(2).toFixed(1)} MB (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB): ${growth <= at(1) * 0.1 ? 'ok' : 'MISSED'}`)
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e)
  process.exitCode = 1
})
