// Shared helpers for tests that load configs from inline YAML.
import { loadConfig } from '../../src/config/load.ts'
import { formatError } from '../../src/errors.ts'

/** Dedent a template literal so YAML in tests can be indented with the code. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, '')
  const indent = Math.min(...text.split('\n').filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length))
  return text
    .split('\n')
    .map((l) => l.slice(indent))
    .join('\n')
}

export const load = (text: string, file = 'qm.yaml') => loadConfig(Buffer.from(text), file)

/** The config of `text`, failing the test with the errors if there are any. */
export function config(text: string) {
  const loaded = load(text)
  if (!loaded.config) throw new Error(`config rejected:\n${loaded.errors.map(formatError).join('\n')}`)
  return loaded.config
}

/** The errors of `text` as printed lines. */
export const errorLines = (text: string, file = 'qm.yaml') => load(text, file).errors.map(formatError)
