import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { quadletScalar, quoteItem, splitValue } from '../../src/units/split.ts'

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

// ---

const Quote = suite('quoteItem')

Quote('an item quoted for a list key splits back into exactly that item', () => {
  const items = ['plain', 'a b', 'x="1 2"', "it's", 'tab\there', 'back\\slash', 'both " and \\', 'fs.x=0 2000']
  for (const mode of ['words', 'args'] as const) {
    for (const item of items) {
      if (mode === 'words' && item.includes('"') && item.includes("'")) continue
      assert.equal(splitValue(quoteItem(item, mode), mode), [item], `${mode}: ${item}`)
    }
  }
})

Quote('leaves plain items alone', () => {
  assert.is(quoteItem('sys_boot', 'words'), 'sys_boot')
  assert.is(quoteItem('LANG=C.UTF-8', 'args'), 'LANG=C.UTF-8')
})

Quote.run()
