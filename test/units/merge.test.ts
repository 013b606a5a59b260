import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { keyKind } from '../../src/units/keys.ts'
import { mergeUnits } from '../../src/units/merge.ts'
import { parseUnit } from '../../src/units/parse.ts'

const BASE = '/usr/share/containers/systemd/qm.container'
const DROP = '/etc/containers/systemd/qm.container.d/100-caps.conf'

const merge = (...files: [string, string][]) => mergeUnits(files.map(([file, text]) => parseUnit(text, file)))

const Merge = suite('mergeUnits')

Merge('a scalar takes the last assignment and remembers the ones it replaced', () => {
  const eff = merge(
    [BASE, '[Service]\nMemoryMax=infinity\nMemoryMax=4G\n'],
    [DROP, '[Service]\nMemoryMax=2G\n'],
  )
  assert.is(eff.get('Service', 'MemoryMax'), '2G')
  const k = eff.find('Service', 'MemoryMax')
  assert.ok(k?.kind === 'scalar')
  assert.equal(k.value, { value: '2G', file: DROP, line: 2 })
  assert.equal(k.overridden.map((s) => `${s.value}@${s.line}`), ['infinity@2', '4G@3'])
  assert.is(eff.get('Service', 'Nope'), undefined)
})

Merge('an empty list assignment resets: qm\'s AddCAPA example keeps only sys_boot dropped', () => {
  const eff = merge(
    [BASE, '[Container]\nDropCapability=sys_boot sys_resource\n'],
    [DROP, '[Container]\nDropCapability=\nDropCapability=sys_boot\nAddCapability=sys_resource\n'],
  )
  assert.equal(eff.list('Container', 'DropCapability'), ['sys_boot'])
  assert.equal(eff.list('Container', 'AddCapability'), ['sys_resource'])
  const k = eff.find('Container', 'DropCapability')
  assert.ok(k && k.kind !== 'scalar')
  assert.equal(k.items, [{ value: 'sys_boot', file: DROP, line: 3 }])
  assert.equal(k.cleared.map((s) => `${s.value}@${s.file}:${s.line}`), [`sys_boot@${BASE}:2`, `sys_resource@${BASE}:2`])
  assert.equal(k.reset, { value: '', file: DROP, line: 2 })
})

Merge('list keys accumulate across files; split keys give one item per word', () => {
  const eff = merge(
    [BASE, '[Container]\nVolume=${RWETCFS}:/etc\nAddDevice=-/dev/kvm\nSysctl=a=1 b=2\n'],
    [DROP, '[Container]\nVolume=/run/x:/run/x:z\nAddDevice=-/dev/fuse "-/dev/my dev"\n'],
  )
  assert.equal(eff.list('Container', 'Volume'), ['${RWETCFS}:/etc', '/run/x:/run/x:z'])
  assert.equal(eff.list('Container', 'AddDevice'), ['-/dev/kvm', '-/dev/fuse', '-/dev/my dev'])
  assert.equal(eff.list('Container', 'Sysctl'), ['a=1', 'b=2'])
})

Merge('args keys decode quotes and escapes; Environment keeps NAME=value words in order', () => {
  const eff = merge([BASE, '[Container]\nEnvironment="A=x y" B=\\x41\nPodmanArgs=--pids-limit=-1 \'--x=a b\'\n'])
  assert.equal(eff.list('Container', 'Environment'), ['A=x y', 'B=A'])
  assert.equal(eff.list('Container', 'PodmanArgs'), ['--pids-limit=-1', '--x=a b'])
  assert.equal(eff.list('Service', 'Environment'), [])
})

Merge('a value that cannot be split is dropped with an issue, the rest of the list stays', () => {
  const eff = merge([BASE, '[Container]\nDropCapability=a\nDropCapability="b c\nPodmanArgs=--ok \\q\n'])
  assert.equal(eff.list('Container', 'DropCapability'), ['a'])
  assert.equal(eff.list('Container', 'PodmanArgs'), [])
  assert.equal(eff.issues.map((i) => i.line), [3, 4])
})

Merge('dependencies cannot be reset; an empty Condition clears every Condition* key', () => {
  const eff = merge(
    [BASE, '[Unit]\nAfter=a.service b.service\nConditionPathExists=/x\nConditionKernelCommandLine=qm\nAssertPathExists=/y\n'],
    [DROP, '[Unit]\nAfter=\nAfter=c.service\nConditionPathIsDirectory=\nConditionPathExists=/z\n'],
  )
  assert.equal(eff.list('Unit', 'After'), ['a.service', 'b.service', 'c.service'])
  assert.equal(eff.issues.map((i) => `${i.file}:${i.line}`), [`${DROP}:2`])
  assert.equal(eff.list('Unit', 'ConditionPathExists'), ['/z'])
  assert.equal(eff.list('Unit', 'ConditionKernelCommandLine'), [])
  assert.equal(eff.list('Unit', 'AssertPathExists'), ['/y'])
})

Merge('[Service] lists follow systemd: ExecStart resets on empty, DeviceAllow accumulates', () => {
  const eff = merge(
    [BASE, '[Service]\nExecStartPre=/bin/a\nDeviceAllow=/dev/kvm rw\n'],
    [DROP, '[Service]\nExecStartPre=\nExecStartPre=/bin/b x\nDeviceAllow=/dev/fuse rw\n'],
  )
  assert.equal(eff.list('Service', 'ExecStartPre'), ['/bin/b x'])
  assert.equal(eff.list('Service', 'DeviceAllow'), ['/dev/kvm rw', '/dev/fuse rw'])
})

Merge('skips rejected files and lists every key once, sections in first-seen order', () => {
  const eff = merge(
    [BASE, '[Install]\nWantedBy=default.target\n[Service]\nRestart=always\n[Container]\nExec=/sbin/init\n'],
    ['/etc/containers/systemd/qm.container.d/bad.conf', '[Service]\nRestart=no\nnonsense\n'],
    [DROP, '[Service]\nTasksMax=50%\n[Install]\nWantedBy=multi-user.target\n'],
  )
  assert.equal(eff.skipped, ['/etc/containers/systemd/qm.container.d/bad.conf'])
  assert.is(eff.get('Service', 'Restart'), 'always')
  assert.equal(eff.keys.map((k) => `${k.section}.${k.key}`), [
    'Install.WantedBy', 'Service.Restart', 'Service.TasksMax', 'Container.Exec',
  ])
  assert.equal(eff.list('Install', 'WantedBy'), ['default.target', 'multi-user.target'])
})

Merge.run()

// ---

const Kinds = suite('keyKind')

Kinds('names how Quadlet and systemd read each key', () => {
  const k = (s: string, key: string) => keyKind(s, key)
  assert.equal(
    [k('Container', 'DropCapability'), k('Container', 'Volume'), k('Container', 'Mount'), k('Container', 'ReadOnly')],
    ['words', 'list', 'args', 'scalar'],
  )
  assert.equal(
    [k('Unit', 'Wants'), k('Unit', 'AssertHost'), k('Install', 'Alias'), k('Service', 'MemoryHigh')],
    ['deps', 'condition', 'words', 'scalar'],
  )
})

Kinds.run()
