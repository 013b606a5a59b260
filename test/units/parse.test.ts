import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parseUnit } from '../../src/units/parse.ts'

const pairs = (text: string, dialect: 'quadlet' | 'systemd' = 'quadlet') =>
  parseUnit(text, 'x.conf', dialect).entries.map((e) => [e.section, e.key, e.value, e.line])

const Quadlet = suite('parseUnit (Quadlet reader)')

Quadlet('reads sections and keys, trims around "=", keeps file and 1-based line', () => {
  const f = parseUnit('# head\n[Container]\n  Image = quay.io/x  \n\n[Service]\nMemoryMax=1G\n', '/etc/a.container')
  assert.equal(f.entries, [
    { section: 'Container', key: 'Image', value: 'quay.io/x', file: '/etc/a.container', line: 3 },
    { section: 'Service', key: 'MemoryMax', value: '1G', file: '/etc/a.container', line: 6 },
  ])
  assert.equal(f.issues, [])
  assert.is(f.rejected, false)
})

Quadlet('skips # and ; comments; a "#" after "=" is part of the value', () => {
  assert.equal(pairs('[S]\n# A=1\n; B=2\n   # C=3\nD=#4\n'), [['S', 'D', '#4', 5]])
})

Quadlet('joins a trailing-backslash line to the next with nothing in between, skipping comments and blanks', () => {
  const text = '[Container]\nPodmanArgs=--a \\\n  # note \\\n\n  --b\\\nc\nNext=1\n'
  // "--a " + "--b" + "c": each physical line is trimmed first, the backslash is removed, no space is added.
  assert.equal(pairs(text), [['Container', 'PodmanArgs', '--a --bc', 2], ['Container', 'Next', '1', 7]])
})

Quadlet('a backslash on the last line is dropped; a continuation that only comments follow is lost', () => {
  assert.equal(pairs('[S]\nA=x\\'), [['S', 'A', 'x', 2]])
  const f = parseUnit('[S]\nA=x\\\n# c\n', 'd.conf')
  assert.equal(f.entries, [])
  assert.is(f.rejected, false)
  assert.equal(f.issues.map((i) => [i.line, i.drops]), [[2, 'line']])
})

Quadlet('any malformed line rejects the whole file, with every problem reported', () => {
  const f = parseUnit('Orphan=1\n[S]\nA=1\nno equals here\n=value\n[]\n', 'bad.conf')
  assert.is(f.rejected, true)
  assert.equal(f.entries, [])
  assert.equal(f.issues.map((i) => i.line), [1, 4, 5, 6])
  assert.ok(f.issues.every((i) => i.file === 'bad.conf' && i.drops === 'file'))
})

Quadlet('a section header needs only blanks after "]"; else the line is a key or an error', () => {
  assert.equal(pairs('[Unit]  \t\nA=1\n'), [['Unit', 'A', '1', 2]])
  assert.is(parseUnit('[Unit] # c\n', 'f').rejected, true)
})

Quadlet('keeps quotes and blanks inside values raw', () => {
  assert.equal(pairs('[Container]\nEnvironment="A=1 2"  B=3\n'), [['Container', 'Environment', '"A=1 2"  B=3', 2]])
})

Quadlet('never throws on odd input and reads CRLF files', () => {
  assert.equal(pairs('[S]\r\nA=1\r\n'), [['S', 'A', '1', 2]])
  assert.equal(parseUnit('', 'e').entries, [])
  assert.is(parseUnit('\ufeff[S]\nA=1\n', 'bom').rejected, true) // Go's TrimSpace keeps a BOM
})

Quadlet.run()

// ---

const Systemd = suite('parseUnit (systemd reader)')

Systemd('replaces a trailing backslash with a space and keeps the next line as written', () => {
  assert.equal(pairs('[Service]\nExecStart=/bin/a \\\n    -b\\\n-c\n', 'systemd'), [['Service', 'ExecStart', '/bin/a      -b -c', 2]])
})

Systemd('comment lines vanish inside a continuation; a blank line ends it', () => {
  assert.equal(pairs('[S]\nA=1\\\n# c\n2\nB=x\\\n\nC=3\n', 'systemd'), [
    ['S', 'A', '1 2', 2],
    ['S', 'B', 'x', 5],
    ['S', 'C', '3', 7],
  ])
})

Systemd('an escaped backslash at the end does not continue the line', () => {
  assert.equal(pairs('[S]\nA=x\\\\\nB=y\n', 'systemd'), [['S', 'A', 'x\\\\', 2], ['S', 'B', 'y', 3]])
})

Systemd('skips lines without "=" or outside a section, but fails the file on a bad header', () => {
  const f = parseUnit('A=0\n[S]\nnot a pair\nB=1\n', 'u.service', 'systemd')
  assert.is(f.rejected, false)
  assert.equal(f.entries.map((e) => e.key), ['B'])
  assert.equal(f.issues.map((i) => [i.line, i.drops]), [[1, 'line'], [3, 'line']])
  assert.is(parseUnit('[S\nB=1\n', 'u.service', 'systemd').rejected, true)
})

Systemd('strips a UTF-8 byte order mark', () => {
  assert.equal(pairs('\ufeff[S]\nA=1\n', 'systemd'), [['S', 'A', '1', 2]])
})

Systemd.run()
