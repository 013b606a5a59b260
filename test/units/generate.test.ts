import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { commandLine, quoteWord } from '../../src/units/generate/quote.ts'
import { generateService } from '../../src/units/generate/service.ts'
import { quadletDirs } from '../../src/units/unit-dirs.ts'
import { ACCEPTED_PODMAN, quadletRules, VERIFIED_PODMAN } from '../../src/units/generate/versions.ts'
import { corpusCases, corpusOutput } from './_corpus.ts'

const Corpus = suite('Quadlet corpus')

const cases = corpusCases()
for (const c of cases) {
  for (const { versions, file } of c.expected) {
    Corpus(`${c.name} (podman ${versions.join(', ')})`, () => {
      for (const v of versions) assert.fixture(corpusOutput(c.name, quadletRules(v)!), readFileSync(file, 'utf8'), `podman ${v}`)
    })
  }
}

Corpus('every case has an expected output for every modelled release', () => {
  assert.ok(cases.length >= 12, `${cases.length} cases`)
  for (const c of cases) {
    const covered = c.expected.flatMap((e) => e.versions).sort()
    assert.equal(covered, ['4.9', '5.0', '5.2', '5.8'], c.name)
  }
})

Corpus.run()

const Versions = suite('podman versions')

Versions('X.Y and X.Y.Z of a modelled release; anything else is refused', () => {
  assert.is(quadletRules('5.8')!.verified, '5.8.2')
  assert.is(quadletRules('5.8.0')!.verified, '5.8.2')
  assert.is(quadletRules('5.1.2')!.verified, '5.0.3')
  assert.is(quadletRules('4.9.4')!.dropins, 'none')
  for (const bad of ['5.5', '4.8', '6.0', '5', 'latest', '5.8.2.1', ' 5.8']) assert.is(quadletRules(bad), undefined, bad)
  assert.equal(ACCEPTED_PODMAN, ['4.9', '5.0', '5.1', '5.2', '5.8'])
  assert.is(VERIFIED_PODMAN.at(-1), quadletRules()!.verified)
})

Versions('each release knows the keys that came with it', () => {
  const knows = (v: string, key: string) => quadletRules(v)!.keys.has(key)
  assert.not.ok(knows('4.9', 'StopTimeout'))
  assert.ok(knows('5.0', 'StopTimeout'))
  assert.not.ok(knows('5.0', 'StopSignal'))
  assert.ok(knows('5.2', 'StopSignal'))
  assert.not.ok(knows('5.2', 'Memory'))
  assert.ok(knows('5.8', 'Memory'))
})

Versions.run()

const Dropins = suite('drop-in rules')

// a tree as a map of directories to names
const lister = (files: string[]) => {
  const dirs = new Map<string, Set<string>>()
  for (const f of files) {
    const parts = f.split('/')
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/') || '/'
      if (!dirs.has(dir)) dirs.set(dir, new Set())
      dirs.get(dir)!.add(parts[i]!)
    }
  }
  return (dir: string) => (dirs.has(dir) ? [...dirs.get(dir)!] : undefined)
}

Dropins('4.x reads none, 5.0 only NAME.container.d, 5.2 lets the search directory win, 5.8 the specific directory', () => {
  const list = lister([
    '/etc/containers/systemd/container.d/10.conf',
    '/usr/share/containers/systemd/qm.container',
    '/usr/share/containers/systemd/qm.container.d/10.conf',
    '/usr/share/containers/systemd/qm.container.d/20.conf',
  ])
  const typewide = '/etc/containers/systemd/container.d/10.conf'
  const specific = '/usr/share/containers/systemd/qm.container.d/10.conf'
  const other = '/usr/share/containers/systemd/qm.container.d/20.conf'
  assert.equal(quadletDirs(list).dropins('qm.container', 'none'), { applied: [], ignored: [specific, other, typewide], overridden: [] })
  assert.equal(quadletDirs(list).dropins('qm.container', 'unit'), { applied: [specific, other], ignored: [typewide], overridden: [] })
  assert.equal(quadletDirs(list).dropins('qm.container', 'root-first'), { applied: [typewide, other], ignored: [], overridden: [specific] })
  assert.equal(quadletDirs(list).dropins('qm.container', 'specific-first'), { applied: [specific, other], ignored: [], overridden: [typewide] })
})

Dropins.run()

const Quote = suite('ExecStart quoting')

Quote('plain words stay plain; blanks, quotes, backslashes and control characters are quoted with C escapes', () => {
  assert.is(quoteWord('--name=systemd-%N', false), '--name=systemd-%N')
  assert.is(quoteWord('${ROOTFS}', false), '${ROOTFS}')
  assert.is(quoteWord('a;b', false), 'a;b')
  assert.is(quoteWord('a b', false), '"a b"')
  assert.is(quoteWord('a b', true), '"a\\x20b"')
  assert.is(quoteWord('say "hi"', false), '"say \\"hi\\""')
  assert.is(quoteWord("it's", false), `"it's"`)
  assert.is(quoteWord('a\\b', false), '"a\\\\b"')
  assert.is(quoteWord('a\tb\nc', false), '"a\\tb\\nc"')
  assert.is(quoteWord('\x01\x7f', false), '"\\x01\\x7f"')
  assert.is(quoteWord('\u00a0', false), '\u00a0')
  assert.is(quoteWord('', false), '""')
  assert.is(commandLine(['podman', 'run', 'x y'], false), 'podman run "x y"')
})

Quote.run()

const Lines = suite('physical lines')

// Quadlet trims every physical line before reading it (strings.TrimSpace), so the line ending and blanks around a
// line change nothing it writes: comments, continued values and keys come out the same.
const UNIT = [
  '# the app', '', '[Unit]', 'Description=app', '# inside the section', '', '[Container]', 'Image=quay.io/x/app:1',
  'Exec=/bin/run \\', '  --flag', '# skipped inside a continued value', 'Label=a=1', '', '[Service]', 'Restart=always', '# trailing', '',
]
const DROPIN = ['# drop-in head', '[Container]', 'Label=b=2', '; a semicolon comment']
const generatedFrom = (unit: string, dropin: string) =>
  generateService({
    name: 'app.container',
    path: '/etc/containers/systemd/app.container',
    files: [
      { path: '/etc/containers/systemd/app.container', text: unit },
      { path: '/etc/containers/systemd/app.container.d/10.conf', text: dropin },
    ],
    rules: quadletRules('5.8')!,
    units: new Set(['app.container']),
  })

Lines('CRLF endings and blanks around lines give the unit LF lines give', () => {
  const plain = generatedFrom(`${UNIT.join('\n')}\n`, `${DROPIN.join('\n')}\n`)
  assert.equal(plain.errors, [])
  assert.match(plain.text, '# the app\n\n[Unit]')
  assert.match(plain.text, 'Exec=/bin/run --flag\n')
  assert.match(plain.text, '# trailing\n')
  const variants: [string, (l: string) => string, string][] = [
    ['CRLF', (l) => l, '\r\n'],
    ['indented', (l) => `  \t${l}`, '\n'],
    ['trailing blanks', (l) => `${l} \u00a0\u0085\u2003`, '\n'],
    ['both', (l) => `\u3000${l}\t`, '\r\n'],
  ]
  for (const [what, line, end] of variants) {
    const text = (lines: string[]) => lines.map(line).join(end) + end
    assert.fixture(generatedFrom(text(UNIT), text(DROPIN)).text, plain.text, what)
  }
  assert.fixture(generatedFrom(`${UNIT.join('\n')}\n`, DROPIN.join('\n')).text, plain.text, 'no newline at the end of the drop-in')
})

Lines.run()
