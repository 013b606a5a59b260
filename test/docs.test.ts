// The README and docs/ list everything the code can say: error codes, unsafe ids, finding ids.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readdirSync, readFileSync } from 'node:fs'
import { ERROR_CODES } from '../src/errors.ts'
import { UNSAFE } from '../src/isolation.ts'
import reportSchema from '../src/inspect/report.schema.json' with { type: 'json' }

const readme = readFileSync('README.md', 'utf8')
const inspectDoc = readFileSync('docs/inspect-json.md', 'utf8')
const tableRow = (doc: string, name: string) => new RegExp(`^\\| [^\\n]*\`${name.replace(/\./g, '\\.')}\``, 'm').test(doc)

const Docs = suite('docs')

Docs('the README has a row for every error code', () => {
  for (const code of Object.keys(ERROR_CODES)) assert.ok(tableRow(readme, code), code)
})

Docs('the README has a row for every allow_unsafe id', () => {
  for (const id of Object.keys(UNSAFE)) assert.ok(tableRow(readme, id), id)
})

Docs('docs/inspect-json.md lists every finding id inspect can report', () => {
  const source = readdirSync('src/inspect').filter((f) => f.endsWith('.ts')).map((f) => readFileSync(`src/inspect/${f}`, 'utf8')).join('\n')
  const ids = new Set([...source.matchAll(/finding\(\s*'([a-z_]+\.[a-z0-9_]+)'/g)].map((m) => m[1]!))
  for (const id of [...ids, ...Object.keys(UNSAFE)]) assert.ok(inspectDoc.includes(`\`${id}\``), id)
  assert.ok(ids.size > 20)
})

Docs('docs/inspect-json.md and the report schema describe the same generated-unit fields', () => {
  const units = reportSchema.properties.units
  const unit = reportSchema.definitions.generatedUnit
  for (const key of Object.keys(units.properties)) assert.ok(inspectDoc.includes(`\`units.${key}`), `units.${key}`)
  // a row of its own: the field's name opens it (alone or among the first names)
  const opensRow = (key: string) => new RegExp(`^\\| (\`[^\`]+\`, )*\`${key}(\\[\\])?\``, 'm').test(inspectDoc)
  for (const key of Object.keys(unit.properties)) assert.ok(opensRow(key), key)
  // every field is required, so a reader can rely on each one the document names
  assert.equal([...units.required].sort(), Object.keys(units.properties).sort())
  assert.equal([...unit.required].sort(), Object.keys(unit.properties).sort())
})

Docs('the README starts with the install-and-render and the test commands', () => {
  const block = readme.split('```sh\n')[1]!.split('```')[0]!
  assert.match(block, /^npm ci && npx qm-stage render/)
  assert.match(block, /\nnpm test/)
})

Docs('the README\'s command table names every option each command\'s usage line names', async () => {
  for (const name of ['render', 'tree', 'inspect', 'schema']) {
    const { default: command } = await import(`../src/cli/commands/${name}.ts`)
    const row = readme.split('\n').find((l) => l.startsWith(`| \`qm-stage ${name}`))
    assert.ok(row, name)
    const options = [...String(command.usage).matchAll(/--[a-z-]+/g)].map((m) => m[0])
    for (const option of options) assert.ok(row.split(' | ')[0]!.includes(option), `${name} ${option}`)
  }
})

Docs.run()
