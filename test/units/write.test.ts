import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parseUnit } from '../../src/units/parse.ts'
import { writeUnit, type UnitSection } from '../../src/units/write.ts'

const Write = suite('writeUnit')

const SECTIONS: UnitSection[] = [
  { name: 'Container', entries: [['DropCapability', ''], ['DropCapability', 'sys_boot'], ['Volume', '/run/bluechi:/run/bluechi']] },
  { name: 'Service', entries: [['MemoryMax', '2G'], ['Environment', '"A=1 2" B=#3']] },
]

Write('writes a comment block, one blank line between sections and a final newline', () => {
  assert.is(
    writeUnit(SECTIONS, { comment: ['Written by qm-stage', ''] }),
    '# Written by qm-stage\n#\n\n[Container]\nDropCapability=\nDropCapability=sys_boot\nVolume=/run/bluechi:/run/bluechi\n\n' +
      '[Service]\nMemoryMax=2G\nEnvironment="A=1 2" B=#3\n',
  )
  assert.is(writeUnit([]), '')
})

Write('reads back as the same entries under both readers', () => {
  const expected = SECTIONS.flatMap((s) => s.entries.map(([key, value]) => [s.name, key, value]))
  for (const dialect of ['quadlet', 'systemd'] as const) {
    const f = parseUnit(writeUnit(SECTIONS, { comment: ['x'] }), 'w.conf', dialect)
    assert.equal(f.issues, [])
    assert.equal(f.entries.map((e) => [e.section, e.key, e.value]), expected)
  }
})

Write('refuses values that would inject a line, continue a line or lose blanks', () => {
  const one = (value: string) => () => writeUnit([{ name: 'Service', entries: [['ExecStart', value]] }])
  assert.throws(one('/bin/true\nExecStartPre=/bin/evil'), /newline/)
  assert.throws(one('a\rb'), /carriage return/)
  assert.throws(one('a\0b'), /NUL/)
  assert.throws(one('/bin/echo \\'), /backslash/)
  assert.throws(one(' lead'), /white space/)
  assert.throws(one('trail\t'), /white space/)
  assert.throws(() => writeUnit([], { comment: ['a\nb'] }), /comment/)
})

Write('refuses keys and section names that are not plain names', () => {
  assert.throws(() => writeUnit([{ name: 'Service', entries: [['Memory Max', '1G']] }]), /invalid key/)
  assert.throws(() => writeUnit([{ name: 'Service', entries: [['A=B', '1']] }]), /invalid key/)
  assert.throws(() => writeUnit([{ name: 'Ser]vice', entries: [] }]), /invalid section/)
  assert.not.throws(() => writeUnit([{ name: 'X-Container', entries: [['X-Note', 'ok']] }]))
})

Write.run()
