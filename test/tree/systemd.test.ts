import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Stage } from '../../src/manifest/types.ts'
import { walk, type Tree } from '../../src/tree/vtree.ts'
import { copy, manifest, mkdir } from './_helpers.ts'

// Expected links are what `systemctl --root` (systemd 252) wrote in real osbuild builds.

const UNITS = '/usr/lib/systemd/system'

/** A pipeline with `units` (name -> text) in /usr/lib/systemd/system, then `stages`. */
function withUnits(units: Record<string, string>, stages: Stage[], etc: Record<string, string> = {}) {
  const m = manifest()
  const refs = Object.fromEntries([...Object.entries(units), ...Object.entries(etc)].map(([n, t]) => [n, m.file(t)]))
  const items = [
    ...Object.keys(units).map((n): [string, string] => [refs[n]!, `tree://${UNITS}/${n}`]),
    ...Object.keys(etc).map((n): [string, string] => [refs[n]!, `tree:///etc/systemd/system/${n}`]),
  ]
  const pipeline = [mkdir({ path: UNITS, parents: true }, { path: '/etc/systemd/system', parents: true }), copy(Object.values(refs), ...items), ...stages]
  return m.run([{ name: 't', stages: pipeline }])
}

/** Symlinks under /etc/systemd as `path -> target`. */
const links = (tree: Tree): string[] =>
  walk(tree, '/etc/systemd').filter((e) => e.type === 'symlink').map((e) => `${e.path} -> ${e.target}`)

const dirs = (tree: Tree): string[] => walk(tree, '/etc/systemd').filter((e) => e.type === 'dir').map((e) => e.path)

const systemd = (options: Stage['options']): Stage => ({ type: 'org.osbuild.systemd', options })

const FOO = '[Unit]\nDescription=foo\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\nAlias=foo-alias.service\nRequiredBy=x.target\nAlso=bar.service\n'
const BAR = '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=default.target\n'
const TARGET = '[Unit]\nDescription=multi-user\n'

const Systemd = suite('org.osbuild.systemd')

Systemd('enable links WantedBy, RequiredBy, Alias and Also to the unit file path', () => {
  const { trees } = withUnits({ 'foo.service': FOO, 'bar.service': BAR }, [systemd({ enabled_services: ['foo.service'] })])
  assert.equal(links(trees.get('t')!), [
    '/etc/systemd/system/default.target.wants/bar.service -> /usr/lib/systemd/system/bar.service',
    '/etc/systemd/system/foo-alias.service -> /usr/lib/systemd/system/foo.service',
    '/etc/systemd/system/multi-user.target.wants/foo.service -> /usr/lib/systemd/system/foo.service',
    '/etc/systemd/system/x.target.requires/foo.service -> /usr/lib/systemd/system/foo.service',
  ])
})

Systemd('a unit in /etc/systemd/system wins and is linked there; UpheldBy makes .upholds with a note', () => {
  const unit = '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\nUpheldBy=y.target\nAlias=e-%N.service\n'
  const { trees, notes } = withUnits({ 'e.service': BAR }, [systemd({ enabled_services: ['e.service'] })], { 'e.service': unit })
  assert.equal(links(trees.get('t')!), [
    '/etc/systemd/system/e-e.service -> /etc/systemd/system/e.service',
    '/etc/systemd/system/multi-user.target.wants/e.service -> /etc/systemd/system/e.service',
    '/etc/systemd/system/y.target.upholds/e.service -> /etc/systemd/system/e.service',
  ])
  assert.match(notes.join('\n'), /UpheldBy=/)
})

Systemd('templates link the instance name, or DefaultInstance for the bare template', () => {
  const t = '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\nDefaultInstance=def\n'
  const { trees } = withUnits({ 't@.service': t }, [systemd({ enabled_services: ['t@.service', 't@x.service'] })])
  assert.equal(links(trees.get('t')!), [
    '/etc/systemd/system/multi-user.target.wants/t@def.service -> /usr/lib/systemd/system/t@.service',
    '/etc/systemd/system/multi-user.target.wants/t@x.service -> /usr/lib/systemd/system/t@.service',
  ])
})

Systemd('mask, masked generators and the default target', () => {
  const { trees } = withUnits({ 'multi-user.target': TARGET }, [
    systemd({ masked_services: ['gone.service'], masked_generators: ['systemd-gpt-auto-generator'], default_target: 'multi-user.target' }),
  ])
  assert.equal(links(trees.get('t')!), [
    '/etc/systemd/system/default.target -> /usr/lib/systemd/system/multi-user.target',
    '/etc/systemd/system/gone.service -> /dev/null',
    '/etc/systemd/system-generators/systemd-gpt-auto-generator -> /dev/null',
  ])
})

Systemd('disable removes the links of the unit and its Also units and prunes emptied directories', () => {
  const { trees } = withUnits({ 'foo.service': FOO, 'bar.service': BAR, 'keep.service': BAR.replace('default', 'multi-user') }, [
    systemd({ enabled_services: ['foo.service', 'keep.service'] }),
    systemd({ disabled_services: ['foo.service'] }),
  ])
  const tree = trees.get('t')!
  assert.equal(links(tree), ['/etc/systemd/system/multi-user.target.wants/keep.service -> /usr/lib/systemd/system/keep.service'])
  assert.equal(dirs(tree), ['/etc/systemd', '/etc/systemd/system', '/etc/systemd/system/multi-user.target.wants'])
})

Systemd('a unit without [Install] is a no-op with a note; disabling a missing unit is noted, not fatal', () => {
  const { trees, notes } = withUnits({ 'static.service': '[Service]\nExecStart=/bin/true\n' }, [
    systemd({ enabled_services: ['static.service'], disabled_services: ['gone.service'] }),
  ])
  assert.equal(links(trees.get('t')!), [])
  assert.equal(notes, [
    't: static.service has no installation config ([Install]); systemctl enable does nothing',
    't: systemctl disable gone.service: unit does not exist',
  ])
})

Systemd('enabling a missing or masked unit, or clashing with an alias, fails the stage', () => {
  assert.throws(() => withUnits({}, [systemd({ enabled_services: ['nope.service'] })]), /^t stage 2 org\.osbuild\.systemd: systemctl enable nope\.service: unit nope\.service does not exist$/)
  assert.throws(() => withUnits({ 'foo.service': FOO, 'bar.service': BAR }, [systemd({ masked_services: ['foo.service'] }), systemd({ enabled_services: ['foo.service'] })]), /is masked/)
  assert.throws(
    () => withUnits({ 'foo.service': FOO, 'bar.service': BAR }, [systemd({ enabled_services: ['foo.service'] })], { 'foo-alias.service': 'x' }),
    /foo-alias\.service: already exists/,
  )
  assert.throws(() => withUnits({}, [systemd({ default_target: 'multi-user.target' })]), /set-default multi-user\.target: unit multi-user\.target does not exist/)
})

Systemd.run()
