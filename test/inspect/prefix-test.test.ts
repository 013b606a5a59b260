import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { prefixTest } from '../../src/inspect/interest.ts'

const test = suite('prefixTest')

// nested prefixes, neighbours that sort between a prefix and its paths, a repeat, and non-ASCII
const PREFIXES = ['/etc/containers/systemd/', '/etc/containers/systemd/users/', '/etc/containers/', '/etc/qm/', '/etc/qm-x/', '/usr/lib/qm/rootfs/etc/bluechi/', '/usr/lib/qm/rootfs/etc/bluechi/', '/run/\u00e9/', '/a/b/', '/a/c/d/']
const PATHS = [
  '', '/', '/etc', '/etc/', '/etc/containers', '/etc/containers/', '/etc/containers/x', '/etc/containers/systemd/a.container',
  '/etc/containersX', '/etc/qm', '/etc/qm/', '/etc/qm/a', '/etc/qm-x/a', '/etc/qm-y/a', '/etc/qmz', '/usr/lib/qm/rootfs/etc/bluechi',
  '/usr/lib/qm/rootfs/etc/bluechi/agent.conf.d/x.conf', '/usr/lib/qm/rootfs/etc/bluechi2/x', '/run/\u00e9/x', '/run/e/x', '/run/\u00ea/x',
  '/a/b', '/a/b/', '/a/bb/x', '/a/c/x', '/a/c/d/x', '/a/c/e/x', '/a/b/c/d/', '/z', '\uffff',
]

test('answers as testing every prefix does', () => {
  const under = prefixTest(PREFIXES)
  for (const path of PATHS) assert.is(under(path), PREFIXES.some((p) => path.startsWith(p)), path)
})

test('answers as testing every prefix does, for every prefix of every path', () => {
  const under = prefixTest(PREFIXES)
  for (const path of [...PATHS, ...PREFIXES]) {
    for (let n = 0; n <= path.length; n++) {
      const p = path.slice(0, n)
      assert.is(under(p), PREFIXES.some((x) => p.startsWith(x)), p)
    }
  }
})

test('holds nothing for no prefixes', () => {
  const under = prefixTest([])
  // 'undefined': what a search that read past the start of an empty list would compare with
  for (const path of ['/etc/qm/a', '', 'undefined', 'undefined/x']) assert.is(under(path), false, path)
})

test.run()
