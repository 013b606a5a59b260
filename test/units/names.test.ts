import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { dropinNameProblem, isValidUnitName, quadletServiceName } from '../../src/units/names.ts'

const Units = suite('unit names')

Units('accepts systemd unit names and Quadlet files whose service name is valid', () => {
  const good = ['qm.service', 'radio.container', 'sleep@.container', 'sleep@10.container', 'qm-dbus-broker.container', 'a:b_c.d\\x2d.mount']
  for (const ok of good) {
    assert.ok(isValidUnitName(ok), ok)
  }
})

Units('rejects bad characters, a leading "@", unknown types and names over 255 bytes', () => {
  for (const bad of ['radio box.container', '@x.service', 'x.conf', '.service', 'x', 'ra/dio.container', 'ünï.service']) {
    assert.not.ok(isValidUnitName(bad), bad)
  }
  assert.ok(isValidUnitName(`${'a'.repeat(245)}.container`)) // 255 bytes; its service name is shorter
  assert.not.ok(isValidUnitName(`${'a'.repeat(246)}.container`))
})

Units('derives the generated service name the way Quadlet does', () => {
  assert.is(quadletServiceName('qm.container'), 'qm.service')
  assert.is(quadletServiceName('data.volume'), 'data-volume.service')
  assert.is(quadletServiceName('sleep@.container'), 'sleep@.service')
  assert.is(quadletServiceName('web@.pod'), 'web-pod@.service')
  assert.is(quadletServiceName('qm.service'), undefined)
})

Units.run()

// ---

const Dropins = suite('drop-in names')

Dropins('takes NN-name.conf and says why other names fail', () => {
  assert.is(dropinNameProblem('10-automotive.conf'), undefined)
  assert.match(dropinNameProblem('10-automotive.cfg')!, /\.conf/)
  assert.match(dropinNameProblem('.hidden.conf')!, /hidden/)
  assert.match(dropinNameProblem('10 spaces.conf')!, /letters/)
  assert.match(dropinNameProblem(`${'a'.repeat(251)}.conf`)!, /255/)
})

Dropins.run()
