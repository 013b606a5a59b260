import { QmError } from '../../errors.ts'
import { inspect } from '../../inspect/inspect.ts'
import { SEVERITIES, type Severity } from '../../inspect/report.ts'
import { textReport } from '../../inspect/text.ts'
import { unitsText } from '../../inspect/units-model.ts'
import { ACCEPTED_PODMAN, DEFAULT_PODMAN, quadletRules } from '../../units/generate/versions.ts'
import { reportErrors } from '../errors.ts'
import { EXIT, type Command } from '../command.ts'

const command: Command = {
  usage: 'inspect PATH|- [--json] [--units] [--podman VERSION] [--devices present|absent] [--fail-on error|warning|info|never]',
  summary: `Report the QM in a built image tree, offline: PATH is a directory, a .tar or a .tar.gz
(recognised by content), or - for a tar on standard input. Nothing is written.

  --json           the report as JSON (docs/inspect-json.md describes it)
  --units          print the units podman's Quadlet generates from the tree, as
                   \`quadlet -dryrun\` does: qm.service, then QM's nested services
  --podman VERSION the podman whose Quadlet is modelled: ${ACCEPTED_PODMAN.join(', ')}
                   (default ${DEFAULT_PODMAN}); drop-ins it ignores are findings
  --devices STATE  whether optional devices (AddDevice=-/dev/x) exist on the target
                   when the generator runs: present (default) or absent
  --fail-on LEVEL  exit 1 when a finding at LEVEL or worse exists (default error)`,
  options: {
    json: { type: 'boolean', default: false },
    'fail-on': { type: 'string', default: 'error' },
    units: { type: 'boolean', default: false },
    podman: { type: 'string', default: DEFAULT_PODMAN },
    devices: { type: 'string', default: 'present' },
  },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) return io.err('qm-stage: inspect takes one PATH (or - for standard input)\n'), EXIT.usage
    const failOn = values['fail-on'] as string
    if (failOn !== 'never' && !(SEVERITIES as readonly string[]).includes(failOn)) {
      return io.err(`qm-stage: --fail-on must be one of ${[...SEVERITIES, 'never'].join(', ')}\n`), EXIT.usage
    }
    const podman = values.podman as string
    if (!quadletRules(podman)) return io.err(`qm-stage: --podman ${podman} is not modelled; give one of ${ACCEPTED_PODMAN.join(', ')}\n`), EXIT.usage
    const devices = values.devices as string
    if (devices !== 'present' && devices !== 'absent') return io.err('qm-stage: --devices must be present or absent\n'), EXIT.usage
    const json = values.json as boolean
    let report
    try {
      const input = positionals[0]!
      const file = input === '-' ? io.stdinFile?.() : undefined
      report = await inspect(file ?? input, { stdin: io.stdinStream, name: input, podman, optionalDevices: devices })
    } catch (e) {
      if (!(e instanceof QmError)) throw e
      return reportErrors(io, [e], json), EXIT.invalid
    }
    io.out(json ? `${JSON.stringify(report, null, 2)}
` : values.units ? unitsText(report.units) : textReport(report, io.colour))
    const worst = failOn === 'never' ? Infinity : SEVERITIES.indexOf(failOn as Severity)
    return report.findings.some((f) => SEVERITIES.indexOf(f.severity) >= worst) ? EXIT.invalid : EXIT.ok
  },
}

export default command
