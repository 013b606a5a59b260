import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { quadletScalar, splitValue } from '../../src/units/split.ts'

const Split = suite('splitValue')

Split('words: blanks separate, quotes group and vanish, backslashes stay', () => {
  assert.equal(splitValue('  sys_boot\tsys_resource  ', 'words'), ['sys_boot', 'sys_resource'])
  assert.equal(splitValue(`"a b"c 'd "e'`, 'words'), ['a bc', 'd "e'])
  assert.equal(splitValue('C:\\dir \\n', 'words'), ['C:\\dir', '\\n'])
  assert.equal(splitValue('"open', 'words'), undefined)
})

Split('args: escapes decode; unknown escapes or NUL drop the value; open quotes are tolerated', () => {
  assert.equal(splitValue('a\\sb \\x41\\u00e9 "q\\"t" \\101', 'args'), ['a b', 'Aé', 'q"t', 'A'])
  assert.equal(splitValue('--x \\q', 'args'), undefined)
  assert.equal(splitValue('\\x00', 'args'), undefined)
  assert.equal(splitValue('"open end', 'args'), ['open end'])
  assert.equal(splitValue('tail\\', 'args'), ['tail'])
})

Split('stops at the first empty word, as Quadlet does', () => {
  assert.equal(splitValue('a "" b', 'words'), ['a'])
  assert.equal(splitValue('', 'words'), [])
})

Split.run()

// ---

const Scalar = suite('quadletScalar')

Scalar('trims trailing blanks and one pair of surrounding double quotes', () => {
  assert.is(quadletScalar('""'), '')
  assert.is(quadletScalar('"/usr/share/qm/seccomp.json"  '), '/usr/share/qm/seccomp.json')
  assert.is(quadletScalar('"a" "b"'), 'a" "b')
  assert.is(quadletScalar('sh -c "x'), 'sh -c "x')
})

Scalar.run()
