import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { checksumMatches, padded, parseHeader, parsePax, readNumber } from '../../src/archive/header.ts'
import { normaliseName } from '../../src/archive/names.ts'
import { header } from './_helpers/tar.ts'

const enc = new TextEncoder()
const field = (text: string | number[], len: number) => {
  const b = Buffer.alloc(len)
  b.set(typeof text === 'string' ? enc.encode(text) : text)
  return b
}

const buf = (b: Uint8Array) => Buffer.from(b)

const Numbers = suite('readNumber')

Numbers('octal with leading spaces or zeros, ended by NUL or space; empty reads as 0', () => {
  assert.is(readNumber(field('0000644\0', 8), 0, 8), 0o644)
  assert.is(readNumber(field('   644 \0', 8), 0, 8), 0o644)
  assert.is(readNumber(field('77777777777', 12), 0, 12), 8 ** 11 - 1)
  assert.is(readNumber(field('', 8), 0, 8), 0)
})

Numbers('anything but octal digits is NaN', () => {
  assert.ok(Number.isNaN(readNumber(field('0000648\0', 8), 0, 8)))
  assert.ok(Number.isNaN(readNumber(field('12 34\0', 8), 0, 8)))
  assert.ok(Number.isNaN(readNumber(field('-1', 8), 0, 8)))
})

Numbers('base-256: positive, negative, and beyond 2^53', () => {
  assert.is(readNumber(field([0x80, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0], 12), 0, 12), 2 * 256 ** 3)
  assert.is(readNumber(field([0x80, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x9a], 12), 0, 12), 0x123456789a)
  assert.is(readNumber(field([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe], 8), 0, 8), -2)
  assert.ok(Number.isNaN(readNumber(field([0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 12), 0, 12)))
})

const Checksum = suite('checksumMatches')

Checksum('the unsigned and the historic signed sums are accepted; anything else is not', () => {
  const name = 'caf\u00e9-\u00fcber' // bytes >= 128, so the two sums differ
  assert.ok(checksumMatches(header({ name }), 0))
  assert.ok(checksumMatches(header({ name, checksum: 'signed' }), 0))
  assert.not.ok(checksumMatches(header({ name, checksum: 'bad' }), 0))
  const blank = header({ name: 'x' })
  blank.fill(0, 148, 156)
  assert.not.ok(checksumMatches(blank, 0), 'an empty checksum field is not a zero checksum')
})

const Parse = suite('parseHeader')

Parse('ustar prefix and name join; GNU magic has no prefix field', () => {
  const posix = parseHeader(buf(header({ name: 'bin/qm', prefix: 'usr/lib/qm/rootfs/usr' })), 0)
  assert.is(posix.name, 'usr/lib/qm/rootfs/usr/bin/qm')
  assert.is(posix.format, 'posix')
  const gnu = parseHeader(buf(header({ name: 'a', format: 'gnu', patch: [[345, 'not-a-prefix']] })), 0)
  assert.is(gnu.name, 'a')
  assert.is(gnu.format, 'gnu')
  assert.is(parseHeader(buf(header({ name: 'old', format: 'v7' })), 0).format, 'v7')
})

Parse('a name that fills all 100 bytes has no NUL and is read whole', () => {
  const name = 'n'.repeat(100)
  assert.is(parseHeader(buf(header({ name })), 0).name, name)
})

Parse('base-256 size and uid', () => {
  const h = parseHeader(buf(header({ name: 'big', size: 9 * 1024 ** 3, uid: 3_000_000, base256: ['size', 'uid'] })), 0)
  assert.is(h.size, 9 * 1024 ** 3)
  assert.is(h.uid, 3_000_000)
})

const Pax = suite('parsePax')

Pax('records: length counts the whole record; values may hold = and newlines; keys are UTF-8', () => {
  const data = enc.encode('12 path=a=b\n10 k=x\ny\n\n')
  const { records, malformed } = parsePax(data)
  assert.is(malformed, undefined)
  assert.equal(records, [['path', 'a=b'], ['k', 'x\ny\n']])
})

Pax('a bad length, a missing = or a missing newline stops parsing with a reason', () => {
  assert.match(parsePax(enc.encode('99 path=x\n')).malformed!, /length/)
  assert.match(parsePax(enc.encode('path=x\n')).malformed!, /without a length/)
  assert.match(parsePax(enc.encode('8 pathx\n')).malformed!, /'='/)
  const partial = parsePax(enc.encode('10 uid=12\n10 gid=34x'))
  assert.is(partial.records.length, 1)
  assert.ok(partial.malformed)
})

Pax('values are latin1 strings, one character per byte; times and owner names are left out', () => {
  const data = new Uint8Array([...enc.encode('30 mtime=1700000000.123456789\n'), ...enc.encode('12 uname=me\n'), ...enc.encode('15 SCHILY.x='), 0xff, 0x00, 0x0a])
  assert.equal(parsePax(data).records, [['SCHILY.x', '\u00ff\u0000']])
})

Pax('NUL padding after the records is allowed', () => {
  assert.equal(parsePax(new Uint8Array([...enc.encode('10 uid=12\n'), 0, 0, 0])).records.length, 1)
})

const Names = suite('normaliseName')

Names('relative, ./ and / forms all name the same path; // and . collapse; a trailing / goes', () => {
  for (const raw of ['usr/lib/qm', './usr/lib/qm', '/usr/lib/qm', 'usr//lib/./qm/', './/usr/lib/qm', '///usr/lib/qm']) {
    assert.is(normaliseName(raw), '/usr/lib/qm', raw)
  }
  for (const raw of ['./', '.', '/', '//', './/.']) assert.is(normaliseName(raw), '/', raw)
  assert.is(normaliseName('..foo/bar..'), '/..foo/bar..')
  assert.is(normaliseName('a/.b/..c/...'), '/a/.b/..c/...')
})

Names("any '..' component is refused, escaping or not; so are empty names and NUL", () => {
  for (const raw of ['../etc/shadow', 'a/../../b', 'a/../b', '/..', '..', 'usr/lib/..']) {
    assert.equal(normaliseName(raw), { refused: "member name contains '..'" }, raw)
  }
  assert.equal(normaliseName(''), { refused: 'empty member name' })
  assert.equal(normaliseName('a\0b'), { refused: 'member name contains a NUL byte' })
})

Names('padded rounds up to whole blocks', () => {
  assert.equal([0, 1, 511, 512, 513].map(padded), [0, 512, 512, 512, 1024])
})

Numbers.run()
Checksum.run()
Parse.run()
Pax.run()
Names.run()
