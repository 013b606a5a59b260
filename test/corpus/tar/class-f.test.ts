// Issue 9, class F at the command level: `qm-stage inspect` sees what it is given. Every case of
// _helpers/class-f.ts goes through the CLI (JSON, and text where the case says), and is checked against the
// report of the full, plain tar of the same image.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Report } from '../../../src/inspect/report.ts'
import { cli } from '../../_helpers/cli.ts'
import { baseImage, classFCases, layout, open, type ClassFCase, type Made, type SubClass } from './_helpers/class-f.ts'
import { scratchFor } from '../../_helpers/scratch.ts'


/** Run inspect on what a case made: in-process, or as another uid in a child process (a permission case under root). */
async function run(made: Made, args: string[]): Promise<{ code: number; out: string; err: string; skipped?: string }> {
  const argv = ['inspect', made.path, ...args]
  if (made.uid === undefined || process.getuid?.() !== 0) return cli(argv, made.stdin ?? '')
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'src/bin.ts', ...argv], { uid: made.uid, gid: made.uid, encoding: 'utf8', cwd: process.cwd(), env: { ...process.env, NO_COLOR: '1' } })
  if (child.error === undefined && child.status !== null) return { code: child.status, out: child.stdout, err: child.stderr }
  // no other uid to run as: root reads what it likes, so the case cannot be seen here
  const r = await cli(argv)
  return { ...r, skipped: `cannot run as uid ${made.uid} (${child.error?.message ?? child.signal}); as root the file is readable` }
}

const ClassF = suite('inspect sees what it is given (issue 9, class F)')
const work = scratchFor(ClassF, 'class-f')()
open(work)
const counts: Record<SubClass, number> = { dirs: 0, unreadable: 0, quoted: 0 }

ClassF('every case: the report the case expects, in JSON and in text', async () => {
  const base = await baseImage()
  const full = join(work, 'full.tar')
  writeFileSync(full, layout(base.members))
  const reference = JSON.parse((await cli(['inspect', full, '--json'])).out) as Report
  assert.is(reference.quadlet.unit, '/usr/share/containers/systemd/qm.container', 'the reference has the Quadlet')
  assert.ok(reference.quadlet.dropins.some((d) => d.endsWith('/90-site.conf')), 'and its drop-ins')
  assert.equal(reference.findings.filter((f) => f.id.startsWith('read.') || f.id.startsWith('archive.')), [], 'and nothing unread')
  const cases = classFCases(base)
  assert.is(new Set(cases.map((c) => c.name)).size, cases.length, 'names are unique')
  for (const c of cases) await one(c, reference)
})

async function one(c: ClassFCase, reference: Report): Promise<void> {
  const dir = join(work, c.name)
  open(dir)
  const made = await c.make(dir)
  const { code, out, err, skipped } = await run(made, ['--json', ...(c.args ?? [])])
  if (skipped) {
    console.log(`  ${c.name}: skipped: ${skipped}`)
    return
  }
  assert.not.match(err, /\n\s+at /, `${c.name}: no stack trace`)
  let report: Report
  try {
    report = JSON.parse(out) as Report
  } catch {
    return assert.unreachable(`${c.name}: no JSON report (exit ${code}): ${err || out.slice(0, 400)}`)
  }
  assert.ok(report.findings, `${c.name}: a report, not an error: ${out.slice(0, 300)}`)
  try {
    c.check(report, reference)
  } catch (e) {
    assert.unreachable(`${c.name}: ${(e as Error).message}`)
  }
  if (report.findings.some((f) => f.severity === 'error')) assert.is(code, 1, `${c.name}: error findings fail the run`)
  if (c.text) {
    const text = await run(made, c.args ?? [])
    assert.match(text.out.replace(/ +/g, ' '), c.text, `${c.name}: the text report says it too`)
  }
  counts[c.sub]++
}

ClassF('the corpus covers each sub-class beyond the issue\'s examples', () => {
  console.log(`\n  class F corpus: ${counts.dirs} dirs, ${counts.unreadable} unreadable, ${counts.quoted} quoted cases`)
  assert.ok(counts.dirs >= 8 && counts.unreadable >= 10 && counts.quoted >= 12, JSON.stringify(counts))
})

ClassF.run()
