import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Stage } from '../../src/manifest/types.ts'
import { at, copy, ln, manifest, mkdir, runStages } from './_helpers.ts'

const chown = (items: Record<string, { user?: string | number; group?: string | number; recursive?: boolean }>): Stage => ({
  type: 'org.osbuild.chown',
  options: { items },
})

/** A tree with a chown binary and users, as chown in a chroot needs. */
function withUsers(m: ReturnType<typeof manifest>): Stage[] {
  const passwd = m.file('root:x:0:0::/root:/bin/sh\napp:x:1234:1234::/:/bin/sh\n')
  const group = m.file('root:x:0:\napp:x:1234:\nmedia:x:77:\n')
  const bin = m.file('#!/bin/sh\n')
  return [
    mkdir({ path: '/etc' }, { path: '/usr/bin', parents: true }, { path: '/data/sub', parents: true }),
    copy([passwd, group, bin], [passwd, 'tree:///etc/passwd'], [group, 'tree:///etc/group'], [bin, 'tree:///usr/bin/chown'], [bin, 'tree:///data/sub/f']),
    ln('sub/f', '/data/link'),
  ]
}

const Chown = suite('org.osbuild.chown')

Chown('resolves names in the tree, and -R changes links themselves (checked against osbuild with busybox chown)', () => {
  const m = manifest()
  const tree = runStages(m, [...withUsers(m), chown({ '/data': { user: 'app', group: 'media', recursive: true }, '/data/link': { user: 42 } })])
  const owner = (p: string) => `${at(tree, p)!.uid}:${at(tree, p)!.gid}`
  assert.equal(['/data', '/data/link', '/data/sub', '/data/sub/f'].map(owner), ['1234:77', '1234:77', '1234:77', '42:77'])
})

Chown('an unknown name fails the stage, as chown does', () => {
  const m = manifest()
  assert.throws(() => runStages(m, [...withUsers(m), chown({ '/data': { user: 'nobody' } })]), /invalid user or group: 'nobody'/)
})

Chown('needs a chown binary in the tree (chroot)', () => {
  const m = manifest()
  assert.throws(() => runStages(m, [mkdir({ path: '/data' }), chown({ '/data': { user: 0 } })]), /no chown/)
})

Chown.run()
