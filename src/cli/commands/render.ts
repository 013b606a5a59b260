import { FORMATS, type Format } from '../../render/formats.ts'
import { render } from '../../render/render.ts'
import { checkWithOsbuild } from '../../render/check.ts'
import { QmError } from '../../errors.ts'
import { reportErrors } from '../errors.ts'
import { writeFileAtomic } from '../../atomic.ts'
import { EXIT, type Command } from '../command.ts'
import { readConfigArg } from '../read.ts'

const command: Command = {
  usage: 'render [CONFIG|-] [--format mpp|manifest|stages] [--check] [-o FILE] [--source-root DIR] [--json]',
  summary: `Print the osbuild content that places QM into an image. No CONFIG renders the upstream QM.

  --format mpp       an osbuild-mpp include: the QM pipeline, its sources and the
                     host stages in the mpp variable qm_host_stages (default)
  --format manifest  a complete osbuild manifest: the QM pipeline plus qm_host,
                     an overlay of what QM adds to the host tree
  --format stages    JSON { pipelines, host_stages, sources } for other generators
  --check            validate the output against the osbuild on this machine (its
                     stage schemas in /usr/lib/osbuild, or QM_OSBUILD_SCHEMAS) and
                     fail, naming stage and option, where they disagree
  -o FILE            write FILE atomically instead of printing
  --source-root DIR  where local files the config names may come from (default: the
                     config's repository, the nearest directory holding .git, else
                     the config's directory)
  --json             errors as one JSON document on standard output`,
  options: {
    format: { type: 'string', default: 'mpp' },
    output: { type: 'string', short: 'o' },
    'source-root': { type: 'string' },
    json: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
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
    const json = values.json as boolean
    const input = await readConfigArg(positionals[0], io)
    if (input.error) return reportErrors(io, [input.error], json), EXIT.invalid
    const sourceRoot = values['source-root'] as string | undefined
    const result = render(input.bytes, { format: format as Format, ...(input.file ? { file: input.file } : {}), ...(sourceRoot ? { sourceRoot } : {}) })
    const { output, errors } = result
    if (output === undefined) return reportErrors(io, errors, json), EXIT.invalid
    if (values.check) {
      const mismatches = await checkWithOsbuild(result, { format: format as Format })
      if (mismatches.length > 0) return reportErrors(io, mismatches, json), EXIT.invalid
    }
    const target = values.output as string | undefined
    if (target === undefined) return io.out(output), EXIT.ok
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

export default command
