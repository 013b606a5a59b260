import { QmError } from '../../errors.ts'
import { inspect } from '../../inspect/inspect.ts'
import { SEVERITIES, type Severity } from '../../inspect/report.ts'
import { textReport } from '../../inspect/text.ts'
import { reportErrors } from '../errors.ts'
import { EXIT, type Command } from '../command.ts'

const command: Command = {
  usage: 'inspect PATH|- [--json] [--fail-on error|warning|info|never]',
  summary: `Report the QM in a built image tree, offline: PATH is a directory, a .tar or a .tar.gz
(recognised by content), or - for a tar on standard input. Nothing is written.

  --json           the report as JSON (docs/inspect-json.md describes it)
  --fail-on LEVEL  exit 1 when a finding at LEVEL or worse exists (default error)`,
  options: {
    json: { type: 'boolean', default: false },
    'fail-on': { type: 'string', default: 'error' },
  },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) return io.err('qm-stage: inspect takes one PATH (or - for standard input)\n'), EXIT.usage
    const failOn = values['fail-on'] as string
    if (failOn !== 'never' && !(SEVERITIES as readonly string[]).includes(failOn)) {
      return io.err(`qm-stage: --fail-on must be one of ${[...SEVERITIES, 'never'].join(', ')}\n`), EXIT.usage
    }
    const json = values.json as boolean
    let report
    try {
      const input = positionals[0]!
      const file = input === '-' ? io.stdinFile?.() : undefined
      report = await inspect(file ?? input, { stdin: io.stdinStream, name: input })
    } catch (e) {
      if (!(e instanceof QmError)) throw e
      return reportErrors(io, [e], json), EXIT.invalid
    }
    io.out(json ? `${JSON.stringify(report, null, 2)}\n` : textReport(report, io.colour))
    const worst = failOn === 'never' ? Infinity : SEVERITIES.indexOf(failOn as Severity)
    return report.findings.some((f) => SEVERITIES.indexOf(f.severity) >= worst) ? EXIT.invalid : EXIT.ok
  },
}

export default command
