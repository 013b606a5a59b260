// Benchmark for issue 9, class F: directories a tar does not list are implied by the names below them, and
// that must stay linear. Three archives of the same members, read by readTree with inspect's interest:
//
//   node --import tsx bench/implied-dirs.ts [--runs N] [--members N]
//
//   with directories   100 top directories x 10 x 100 files (--members, default 100,000), each directory a member
//   without            the same files only (`tar -cf x.tar path/to/file`): every directory implied
//   hostile            every member a fresh chain 62 directories deep, alternating its first component, so no
//                      two neighbours share a parent: the worst case for the common-prefix walk
//
// It prints the best of --runs (default 5) per archive and the ratio to the first. Target: without directories
// within 1.5x of with them. The hostile shape has no target; it shows what the walk costs at its worst
// (linear: about 62 interest calls per member). Archives are built in memory and written to a temporary
// directory that is removed at the end.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readTree } from '../src/archive/read-tree.ts'
import { inspectInterest } from '../src/inspect/interest.ts'

const BLOCK = 512
const enc = new TextEncoder()

function header(name: string, type: '0' | '5', size: number): Uint8Array {
  const b = new Uint8Array(BLOCK)
  b.set(enc.encode(name).subarray(0, 100), 0)
  const octal = (at: number, len: number, v: number) => b.set(enc.encode(v.toString(8).padStart(len - 1, '0')), at)
  octal(100, 8, type === '5' ? 0o755 : 0o644)
  octal(108, 8, 0)
  octal(116, 8, 0)
  octal(124, 12, size)
  octal(136, 12, 0)
  b[156] = type.charCodeAt(0)
  b.set(enc.encode('ustar\u000000'), 257)
  b.fill(0x20, 148, 156)
  let sum = 0
  for (const x of b) sum += x
  b.set(enc.encode(sum.toString(8).padStart(6, '0') + '\u0000 '), 148)
  return b
}

function archive(names: string[], dirs: boolean): Uint8Array {
  const parts: Uint8Array[] = []
  const seen = new Set<string>()
  const body = new Uint8Array(BLOCK)
  for (const name of names) {
    if (dirs) {
      const segs = name.split('/')
      for (let i = 1; i < segs.length; i++) {
        const d = segs.slice(0, i).join('/')
        if (!seen.has(d)) parts.push(header(`${d}/`, '5', 0)), seen.add(d)
      }
    }
    parts.push(header(name, '0', 10), body)
  }
  parts.push(new Uint8Array(2 * BLOCK))
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) out.set(p, (at += p.length) - p.length)
  return out
}

const args = process.argv.slice(2)
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name)
  return i === -1 ? fallback : Number(args[i + 1])
}
const runs = option('--runs', 5)
const members = option('--members', 100_000)

const normal: string[] = []
for (let i = 0; normal.length < members; i++) normal.push(`usr/lib/qm/rootfs/usr/lib${Math.floor(i / 1000)}/d${Math.floor(i / 100) % 10}/f${i % 100}`)
const hostile = Array.from({ length: members }, (_, i) => `${i % 2 ? 'a' : 'b'}/${'x/'.repeat(60)}f${i}`)
const cases: [string, Uint8Array][] = [
  ['with directories', archive(normal, true)],
  ['without directories', archive(normal, false)],
  ['hostile, without directories', archive(hostile, false)],
]

const dir = mkdtempSync(join(tmpdir(), 'qm-bench-implied-'))
try {
  const files = cases.map(([name, bytes], i) => {
    const file = join(dir, `${i}.tar`)
    writeFileSync(file, bytes)
    return { name, file, mb: bytes.length / 1e6 }
  })
  const best = files.map(() => Infinity)
  for (let r = 0; r < runs; r++) {
    // interleaved, so a busy machine slows every case alike
    for (const [i, f] of files.entries()) {
      const t = performance.now()
      await readTree(f.file, { interest: inspectInterest() })
      best[i] = Math.min(best[i]!, performance.now() - t)
    }
  }
  console.log(`readTree with inspect's interest, ${members} members, best of ${runs}\n`)
  console.log('| archive | size | best | ratio |\n|---|---|---|---|')
  files.forEach((f, i) => console.log(`| ${f.name} | ${f.mb.toFixed(0)} MB | ${best[i]!.toFixed(0)} ms | ${(best[i]! / best[0]!).toFixed(2)}x |`))
  const ratio = best[1]! / best[0]!
  console.log(`\nwithout directories: ${ratio.toFixed(2)}x with them (target <= 1.5x): ${ratio <= 1.5 ? 'ok' : 'MISSED'}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
