import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readTable, verdictOf, words } from '../../src/isolation/table.ts'

test('a row a line, indented lines continue it, a | inside a pattern is no separator', () => {
  const rows = readTable(['verdict', 'names', 'why'], String.raw`
# a comment
allow  | a\d+ b(?:x|y)? | one
refuse | c d
    e | two,
    and three
`)
  assert.equal(rows, [
    { verdict: 'allow', names: String.raw`a\d+ b(?:x|y)?`, why: 'one' },
    { verdict: 'refuse', names: 'c d e', why: 'two, and three' },
  ])
  assert.equal(words(rows[1]!.names), ['c', 'd', 'e'])
})

test('a row with the wrong number of cells, or a verdict that is none, is a mistake in the table', () => {
  assert.throws(() => readTable(['a', 'b'], 'x | y | z'), /3 cells, not 2/)
  assert.throws(() => verdictOf('allowed'), /not allowed/)
})

test.run()
