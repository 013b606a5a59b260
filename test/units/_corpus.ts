// Reads a Quadlet corpus case: a tree under <case>/root, generated the way the real generator runs it in
// a sandbox with no devices but /dev/null.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { generateTree } from '../../src/units/generate/tree.ts'
import { quadletDirs } from '../../src/units/unit-dirs.ts'
import type { QuadletRules } from '../../src/units/generate/versions.ts'

export const CORPUS = 'test/corpus/quadlet'

export function corpusCases(): { name: string; expected: { versions: string[]; file: string }[] }[] {
  return readdirSync(CORPUS)
    .filter((n) => statSync(`${CORPUS}/${n}`).isDirectory())
    .sort()
    .map((name) => ({
      name,
      expected: readdirSync(`${CORPUS}/${name}`)
        .map((f) => /^expected-([\d.,]+)\.txt$/.exec(f))
        .filter((m) => m !== null)
        .map((m) => ({ versions: m[1]!.split(','), file: `${CORPUS}/${name}/${m[0]}` })),
    }))
}

/** The units of a case as the corpus writes them: dry-run blocks, and a comment line for each refused unit. */
export function corpusOutput(name: string, rules: QuadletRules): string {
  const root = `${CORPUS}/${name}/root`
  const list = (dir: string) => {
    try {
      return statSync(root + dir).isDirectory() ? readdirSync(root + dir) : undefined
    } catch {
      return undefined
    }
  }
  const read = (path: string) => {
    try {
      return readFileSync(root + path, 'utf8')
    } catch {
      return undefined
    }
  }
  return generateTree({ quadlets: quadletDirs(list), read, rules, deviceExists: (p) => p === '/dev/null' })
    .map((u) => (u.errors.length ? `# ${u.source}: refused: ${u.errors.join('; ')}\n` : `---${u.service}---\n${u.text}\n`))
    .join('')
}
