// Render speed (issue 3): `qm-stage render` of every example against `node -e 0`, measured
// in the same run, interleaved so both see the same machine load. Target: median wall time
// at most 2x node's own start.
//
//   npm run build && node --import tsx bench/render.ts [RUNS]
//
// Prints, per example, the median wall time (hrtime around the spawn) and CPU time (user +
// sys, from /usr/bin/time, separate runs) of qm-stage and of `node -e 0`, and their ratios.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { exampleConfigs } from '../scripts/examples.ts'

const RUNS = Number(process.argv[2] ?? 21)
const BIN = 'bin/qm-stage.cjs'
if (!existsSync('dist/cli.cjs')) throw new Error('dist/cli.cjs is missing: run npm run build first')

/** Wall milliseconds of one run, process.hrtime around the spawn (nothing else wrapped around it). */
function wall(argv: string[]): number {
  const start = process.hrtime.bigint()
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`)
  return Number(process.hrtime.bigint() - start) / 1e6
}

/** CPU milliseconds (user + system) of one run, from GNU time: a second view, less sensitive to load. */
function cpu(argv: string[]): number {
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', ...argv], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  const [user, system] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number]
  return (user + system) * 1000
}

function measure(argv: string[]): { wall: number; cpu: number } {
  return { wall: wall(argv), cpu: cpu(argv) }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const baseline = { wall: [] as number[], cpu: [] as number[] }
const rows: [string, number, number, number, number][] = []
for (const name of exampleConfigs()) {
  const run = { wall: [] as number[], cpu: [] as number[] }
  for (let i = 0; i < RUNS; i++) {
    const b = measure(['node', '-e', '0'])
    const q = measure(['node', BIN, 'render', `examples/${name}`])
    baseline.wall.push(b.wall), baseline.cpu.push(b.cpu), run.wall.push(q.wall), run.cpu.push(q.cpu)
  }
  rows.push([name, median(run.wall), median(run.cpu), median(baseline.wall), median(baseline.cpu)])
}

console.log(`qm-stage render vs node -e 0, median of ${RUNS} interleaved runs (ms)`)
console.log('example                         render wall  node wall  ratio   render cpu  node cpu  ratio')
for (const [name, wall, cpu, nodeWall, nodeCpu] of rows) {
  console.log(
    `${name.padEnd(30)}  ${wall.toFixed(0).padStart(11)}  ${nodeWall.toFixed(0).padStart(9)}  ${(wall / nodeWall).toFixed(2).padStart(5)}x  ${cpu.toFixed(0).padStart(10)}  ${nodeCpu.toFixed(0).padStart(8)}  ${(cpu / nodeCpu).toFixed(2).padStart(5)}x`,
  )
}
