import { QmError } from '../../errors.ts'
import { render } from '../../render/render.ts'
import { openSeed, outputKind, writeTreeToDir, writeTreeToTar, type Seed } from '../../tree/export.ts'
import { runPlan } from '../../tree/qm-tree.ts'
import { eachEntry, type Tree } from '../../tree/vtree.ts'
import { reportErrors } from '../errors.ts'
import { EXIT, type Command } from '../command.ts'
import { readConfigArg } from '../read.ts'

const command: Command = {
  usage: 'tree [CONFIG|-] --out DIR|FILE.tar|FILE.tar.gz [--seed DIR|TAR] [--source-root DIR] [--json]',
  summary: `Run the file-placing stages render emits on a virtual filesystem and write the tree
QM adds to an image (what osbuild --export qm_host gives for the manifest format).

  --out PATH          by its name: FILE.tar, FILE.tar.gz or FILE.tgz (SELinux labels
                      as PAX xattrs), else a new or empty directory; its parent
                      directory must exist
  --seed DIR|TAR      the QM's OS tree, standing in for what rpm, untar and skopeo
                      would produce (.tar or .tar.gz); without it those are left out
  --source-root DIR   where local files the config names may come from (default:
                      the config's repository, else the config's directory)
  --json              errors as one JSON document on standard output

What could not be materialised is listed on standard error.`,
  options: {
    out: { type: 'string' },
    seed: { type: 'string' },
    'source-root': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  async run({ values, positionals }, io) {
    const out = values.out as string | undefined
    if (!out) return io.err('qm-stage: tree needs --out DIR, --out FILE.tar or --out FILE.tar.gz\n'), EXIT.usage
    if (positionals.length > 1) return io.err(`qm-stage: tree takes one config, got ${positionals.length}\n`), EXIT.usage
    const json = values.json as boolean
    const fail = (e: unknown) => {
      if (!(e instanceof QmError)) throw e
      reportErrors(io, [e], json)
      return EXIT.invalid
    }
    const input = await readConfigArg(positionals[0], io)
    if (input.error) return fail(input.error)
    const sourceRoot = values['source-root'] as string | undefined
    const { plan, errors } = render(input.bytes, { format: 'stages', planOnly: true, ...(input.file ? { file: input.file } : {}), ...(sourceRoot ? { sourceRoot } : {}) })
    if (!plan) return reportErrors(io, errors, json), EXIT.invalid
    let host: Tree
    let seed: Seed | undefined
    try {
      seed = values.seed ? await openSeed(values.seed as string) : undefined
      for (const note of seed?.notes ?? []) io.err(`note: ${note}\n`)
      // the seed tree is not used again: the QM pipeline may take it as it is
      const result = runPlan(plan, seed?.tree, { consumeSeed: true })
      for (const note of result.notes) io.err(`note: ${note}\n`)
      host = result.host
      const kind = outputKind(out)
      if (kind === 'dir') for (const note of writeTreeToDir(host, out).notes) io.err(`note: ${note}\n`)
      else await writeTreeToTar(host, out, { gzip: kind === 'tar.gz', ...(io.afterWriteChunk ? { afterChunk: io.afterWriteChunk } : {}) })
    } catch (e) {
      return fail(e)
    } finally {
      seed?.close()
    }
    let entries = -1
    eachEntry(host, '/', () => void entries++)
    io.out(`wrote ${out}: ${entries} entries\n`)
    return EXIT.ok
  },
}

export default command
