import schema from '../../config/qm.schema.json' with { type: 'json' }
import { EXIT, type Command } from '../command.ts'

const command: Command = {
  usage: 'schema',
  summary: 'Print the JSON Schema of qm.yaml (defaults and allowed values included).',
  options: {},
  async run({ positionals }, io) {
    if (positionals.length > 0) return io.err('qm-stage: schema takes no arguments\n'), EXIT.usage
    io.out(`${JSON.stringify(schema, null, 2)}\n`)
    return EXIT.ok
  },
}

export default command
