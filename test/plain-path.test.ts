import { posix } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { PLAIN_PATH, rootedPath } from '../src/plain-path.ts'

const test = suite('rootedPath')

// what osbuild's locations and the tree's stages normalise, with the paths that look plain and are not
const PATHS = ['/', '', 'a', 'a/b', '/a', '/a/', '/a//b', '//a', '/a/./b', '/a/.', '/.', '/a/../b', '/a/..', '/..', '/../a', '/...', '/a/...', '/..a', '/a..', '/.a/b.', '/a b/c\u00e9', '/a/b/c/d/e/f.conf']

test('gives what posix.resolve against the root gives, for plain and other paths', () => {
  for (const p of PATHS) assert.is(rootedPath(p), posix.resolve('/', p), p)
})

test('takes as plain only paths that normalising leaves as they are', () => {
  const plain = PATHS.filter((p) => PLAIN_PATH.test(p))
  assert.equal(plain, ['/a', '/...', '/a/...', '/..a', '/a..', '/.a/b.', '/a b/c\u00e9', '/a/b/c/d/e/f.conf'])
  for (const p of plain) assert.is(posix.resolve('/', p), p, p)
})

test.run()
