import { readFileSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { MAX_CONFIG_BYTES } from '../../config/load.ts'
import { FORMATS, type Format } from '../../render/formats.ts'
import { render } from '../../render/render.ts'
import { checkWithOsbuild } from '../../render/check.ts'
import { QmError } from '../../errors.ts'
import { reportErrors } from '../errors.ts'
import { writeFileAtomic } from '../../atomic.ts'
import { EXIT, type Command } from '../command.ts'
import { readConfigArg } from '../read.ts'
import { explainPlan, explainText } from '../../inspect/explain.ts'
import { ACCEPTED_PODMAN, DEFAULT_PODMAN, quadletRules } from '../../units/generate/versions.ts'

const command: Command = {
  usage: 'render [CONFIG|-] [--format mpp|manifest|stages|aib] [--check] [-o FILE | --into FILE.aib.yml] [--source-root DIR] [--json] [--explain [--podman VERSION] [--devices present|absent]]',
  summary: `Print the osbuild content that places QM into an image. No CONFIG renders the upstream QM.
CONFIG may also be an automotive-image-builder manifest or its qm: block: its qm: section
is the config.

  --format mpp       an osbuild-mpp include: the QM pipeline, its sources and the
                     host stages in the mpp variables qm_host_first_stages and
                     qm_host_stages (default)
  --format manifest  a complete osbuild manifest: the QM pipeline plus qm_host,
                     an overlay of what QM adds to the host tree
  --format stages    JSON { pipelines, host_first_stages, host_stages, sources }
                     for other generators
  --format aib       an automotive-image-builder manifest: qm: for the QM tree,
                     content for the host (what AIB does itself is left to AIB)
  --check            validate the output against the osbuild on this machine (its
                     stage schemas in /usr/lib/osbuild, or QM_OSBUILD_SCHEMAS) and
                     fail, naming stage and option, where they disagree
  -o FILE            write FILE atomically instead of printing
  --into FILE        (aib) merge into the manifest FILE, keeping its comments and
                     order; what qm-stage did not write is never overwritten (CONFLICT)
  --source-root DIR  where local files the config names may come from (default: the
                     config's repository, the nearest directory holding .git, else
                     the config's directory)
  --json             errors as one JSON document on standard output
  --explain          print the podman command line qm.service (and each nested
                     service) will run, as the host's Quadlet generates it from the
                     tree this config gives; with -o the output still goes to FILE
  --podman VERSION   the podman whose Quadlet --explain models: ${ACCEPTED_PODMAN.join(', ')}
                     (default ${DEFAULT_PODMAN})
  --devices STATE    optional devices (AddDevice=-/dev/x) present (default) or absent`,
  options: {
    format: { type: 'string', default: 'mpp' },
    output: { type: 'string', short: 'o' },
    into: { type: 'string' },
    'source-root': { type: 'string' },
    json: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    explain: { type: 'boolean', default: false },
    podman: { type: 'string', default: DEFAULT_PODMAN },
    devices: { type: 'string', default: 'present' },
  },
  async run({ values, positionals }, io) {
    const format = values.format as string
    if (!(FORMATS as readonly string[]).includes(format)) {
      io.err(`qm-stage: --format must be one of ${FORMATS.join(', ')}\n`)
      return EXIT.usage
    }
    if (positionals.length > 1) {
      io.err(`qm-stage: render takes one config, got ${positionals.length}\n`)
      return EXIT.usage
    }
    const into = values.into as string | undefined
    if (into !== undefined && format !== 'aib') return io.err('qm-stage: --into merges into an automotive-image-builder manifest: it needs --format aib\n'), EXIT.usage
    if (into !== undefined && values.output !== undefined) return io.err('qm-stage: give -o or --into, not both\n'), EXIT.usage
    if (values.check && format === 'aib') return io.err('qm-stage: --check compares osbuild stages; automotive-image-builder validates --format aib itself\n'), EXIT.usage
    const rules = quadletRules(values.podman as string)
    if (!rules) return io.err(`qm-stage: --podman ${values.podman} is not modelled; give one of ${ACCEPTED_PODMAN.join(', ')}\n`), EXIT.usage
    const devices = values.devices as string
    if (devices !== 'present' && devices !== 'absent') return io.err('qm-stage: --devices must be present or absent\n'), EXIT.usage
    const json = values.json as boolean
    const input = await readConfigArg(positionals[0], io)
    if (input.error) return reportErrors(io, [input.error], json), EXIT.invalid
    const existing = into === undefined ? undefined : readManifest(into)
    if (existing?.error) return reportErrors(io, [existing.error], json), EXIT.invalid
    const target = into ?? (values.output as string | undefined)
    const sourceRoot = values['source-root'] as string | undefined
    const result = render(input.bytes, {
      format: format as Format,
      ...(input.file ? { file: input.file } : {}),
      ...(sourceRoot ? { sourceRoot } : {}),
      ...(into !== undefined ? { into: { file: into, ...(existing?.text !== undefined ? { text: existing.text } : {}) } } : {}),
      manifestDir: target === undefined ? '.' : dirname(target),
    })
    const { output, errors, notes } = result
    for (const note of notes) io.err(`note: ${note}\n`)
    if (output === undefined) return reportErrors(io, errors, json), EXIT.invalid
    if (values.check) {
      const mismatches = await checkWithOsbuild(result, { format: format as Format })
      if (mismatches.length > 0) return reportErrors(io, mismatches, json), EXIT.invalid
    }
    const explained = values.explain && result.plan ? explainText(explainPlan(result.plan, rules, devices)) : undefined
    if (target === undefined) return io.out(explained ?? output), EXIT.ok
    if (explained) io.out(explained)
    // running --into again changes nothing: leave the file (and its mtime) alone
    if (existing?.text === output) return EXIT.ok
    try {
      await writeFileAtomic(target, output, io.afterWriteChunk ? { afterChunk: io.afterWriteChunk } : {})
    } catch (e) {
      if (!(e instanceof QmError)) throw e
      reportErrors(io, [e], json)
      return EXIT.invalid
    }
    return EXIT.ok
  },
}

/** The manifest --into merges into: its text, none when it does not exist yet. */
function readManifest(path: string): { text?: string; error?: QmError } {
  try {
    const size = statSync(path).size
    if (size > MAX_CONFIG_BYTES) return { error: new QmError('FILE_READ', `the manifest is ${size} bytes; qm-stage merges into manifests of at most ${MAX_CONFIG_BYTES} bytes`, '', { file: path, line: 1, col: 1 }) }
    return { text: readFileSync(path, 'utf8') }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return {}
    return { error: new QmError('FILE_READ', `cannot read the manifest: ${code ?? (e as Error).message}`, '', { file: path, line: 1, col: 1 }) }
  }
}

export default command
