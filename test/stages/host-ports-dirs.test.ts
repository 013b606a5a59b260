// container.publish_ports, container.host_dirs, and nested mounts of host paths QM does not have.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { QM } from '../../src/qm/paths.ts'
import { writeTreeToDir } from '../../src/tree/export.ts'
import { listDir } from '../../src/tree/vtree.ts'
import { load } from '../_helpers/config.ts'
import { asInstalledByRpm, inspectTar } from '../_helpers/image.ts'
import { built, effectiveQm, mode, rendered, text, tinySeed, TINY_ROOTFS } from '../_helpers/render.ts'
import { removeScratch, scratch } from '../_helpers/scratch.ts'

const codes = (yaml: string) => load(yaml).errors.map((e) => `${e.code} ${e.pointer}`)

const Ports = suite('container.publish_ports')

Ports('each mapping becomes a PublishPort= of qm.service, in order', () => {
  const { host } = built('container:\n  publish_ports: ["127.0.0.1:8443:443", "[fd00::2]:5353:53/udp", "10.0.0.5::9000-9002/sctp"]\n')
  assert.equal(effectiveQm(host).list('Container', 'PublishPort'), ['127.0.0.1:8443:443', '[fd00::2]:5353:53/udp', '10.0.0.5::9000-9002/sctp'])
})

Ports('what podman refuses or reads otherwise is refused, naming the part', () => {
  const bad = ['8080:80/icmp', '300.1.1.1:80:80', '0:80', '80:70000', '8080-8081:80', 'fd00::1:80:80', '[::1]80', 'a:b:c:d', '9-1']
  for (const spec of bad) assert.equal(codes(`container:\n  publish_ports: ["${spec}"]\n`), ['CONFIG_INVALID /container/publish_ports/0'], spec)
  assert.equal(codes('container:\n  network: none\n  publish_ports: ["127.0.0.1:80:80"]\n'), ['CONFLICT /container/publish_ports'])
})

Ports('every host interface is an opt-in with a reason, however it is spelled', () => {
  for (const spec of ['80', '8080:80', '0.0.0.0:8080:80', '[::]:8080:80', '::80']) {
    const errors = load(`container:\n  publish_ports: ["${spec}"]\n`).errors
    if (spec === '::80') assert.equal(errors.map((e) => e.code), ['CONFIG_INVALID'], spec)
    else assert.equal(errors.map((e) => e.code), ['UNSAFE_SETTING'], spec)
  }
})

Ports.run()

// ---

const Dirs = suite('container.host_dirs')

Dirs('a tmpfiles.d file makes each directory at boot, and systemd-tmpfiles reads it so', () => {
  const { host } = built('container:\n  volumes: ["/run/ipc/vsomeip:/run/vsomeip", "/var/radio/state:/var/radio"]\n  host_dirs:\n    - path: /run/ipc/vsomeip\n      mode: "0750"\n    - { path: /var/radio, user: "1000", group: "1000" }\n')
  const lines = text(host, QM.tmpfiles).split('\n').filter((l) => l.startsWith('d /run/ipc') || l.startsWith('d /var/radio'))
  assert.equal(lines, ['d /run/ipc/vsomeip 0750 root root -', 'd /var/radio 0755 1000 1000 -'])
  assert.is(mode(host, QM.tmpfiles), '644')
  // one file for everything systemd-tmpfiles makes for QM
  assert.equal(listDir(host, '/usr/lib/tmpfiles.d'), ['qm-stage.conf'])
  if (!existsSync('/usr/bin/systemd-tmpfiles') || process.getuid?.() !== 0) return
  const root = scratch('tmpfiles')
  try {
    writeTreeToDir(host, join(root, 'tree'))
    const run = spawnSync('/usr/bin/systemd-tmpfiles', ['--create', `--root=${join(root, 'tree')}`, join(root, 'tree', QM.tmpfiles)], { encoding: 'utf8' })
    assert.is(run.status, 0, run.stderr)
    assert.is((statSync(join(root, 'tree/run/ipc/vsomeip')).mode & 0o7777).toString(8), '750')
    assert.is(statSync(join(root, 'tree/var/radio')).uid, 1000)
  } finally {
    removeScratch(root)
  }
})

Dirs('a directory qm-stage already makes is made once: systemd-tmpfiles would log the second line as an error', () => {
  const { host } = built('container:\n  volumes: ["/run/bluechi/extra:/run/extra"]\n  host_dirs: [{ path: /run/bluechi }, { path: /run/bluechi/extra }]\n')
  const lines = text(host, QM.tmpfiles).split('\n').filter((l) => l.startsWith('d /run/bluechi'))
  assert.equal(lines, ['d /run/bluechi 0700 root root -', 'd /run/bluechi/extra 0755 root root -'])
})

Dirs('only under /run and /var, never the host\'s own trees or QM\'s /var, and only for a volume', () => {
  const one = (path: string, volume = `${path}:/x`, allow = '') => codes(`container:\n  volumes: ["${volume}"]\n  host_dirs: [{ path: "${path}" }]\n${allow}`)
  const accepted = 'allow_unsafe:\n  volume.host_path: the test mounts it on purpose\n'
  assert.equal(one('/etc/radio', undefined, accepted), ['PATH_NOT_ALLOWED /container/host_dirs/0/path'])
  assert.equal(one('/run/../etc', '/run/ipc/x:/x'), ['PATH_NOT_ALLOWED /container/host_dirs/0/path'])
  assert.equal(one('/var/qm/data', '/run/ipc/x:/x'), ['PATH_NOT_ALLOWED /container/host_dirs/0/path'])
  // tmpfiles.d would reset a host service's directory: refused even when the volume is accepted
  assert.equal(one('/run/systemd/qm', undefined, accepted), ['PATH_NOT_ALLOWED /container/host_dirs/0/path'])
  assert.equal(one('/var/lib/radio', undefined, accepted), ['PATH_NOT_ALLOWED /container/host_dirs/0/path'])
  assert.equal(one('/run/ipc/radio', '/run/ipc/other:/x'), ['CONFIG_INVALID /container/host_dirs/0/path'])
  assert.equal(one('/run/ipc/a%b', '/run/ipc/a%b:/x'), ['CONFIG_INVALID /container/host_dirs/0/path'])
  assert.equal(one('/run/ipc/radio', '/run/ipc/radio/sock:/run/radio.sock'), [])
  // a parent is a whole component: /run/ipc/ra is not above /run/ipc/radio
  assert.equal(one('/run/ipc/ra', '/run/ipc/radio/sock:/run/radio.sock'), ['CONFIG_INVALID /container/host_dirs/0/path'])
  // a directory for a volume the host path policy refuses is only as good as that volume's opt-in
  assert.equal(one('/run/vsomeip'), ['UNSAFE_SETTING /container/volumes/0'])
  assert.equal(one('/run/vsomeip', undefined, accepted), [])
})

Dirs.run()

// ---

const Below = suite('a volume below one QM can write')

Below('is refused, named after the first such volume in the list; a read-only one or a mere name prefix is not', () => {
  const below = (...volumes: string[]) =>
    load(`container:\n  volumes: [${volumes.map((v) => JSON.stringify(v)).join(', ')}]\n`).errors.map((e) => /^(\S+): below (\S+),/.exec(e.message)?.slice(1).join(' < ') ?? e.message)
  assert.equal(below('/run/ipc/a:/a', '/run/ipc/a/b:/b'), ['/run/ipc/a/b:/b < /run/ipc/a:/a'])
  assert.equal(below('/run/ipc/a/b:/b', '/run/ipc/a:/a'), ['/run/ipc/a/b:/b < /run/ipc/a:/a'])
  assert.equal(below('/run/ipc/a:/a:ro', '/run/ipc/a/b:/b'), [])
  assert.equal(below('/run/ipc/ab:/x', '/run/ipc/a:/a'), [])
  assert.equal(below('/run/ipc/a:/a', '/run/ipc/a:/b'), [])
  // two writable volumes above it: the one listed first is named, whichever is deeper
  assert.equal(below('/run/ipc/a/b/c:/c', '/run/ipc/a:/a', '/run/ipc/a/b:/b'), ['/run/ipc/a/b/c:/c < /run/ipc/a:/a', '/run/ipc/a/b:/b < /run/ipc/a:/a'])
  assert.equal(below('/run/ipc/a/b/c:/c', '/run/ipc/a/b:/b', '/run/ipc/a:/a'), ['/run/ipc/a/b/c:/c < /run/ipc/a/b:/b', '/run/ipc/a/b:/b < /run/ipc/a:/a'])
})

Below.run()

// ---

const Mounts = suite('nested mounts of host paths')

const VSOMEIP = `rootfs: { tarball: { source_path: ${TINY_ROOTFS} } }\nnested:\n  - { name: radio, image: quay.io/x/radio, pull: missing, volumes: ["/run/vsomeip:/run/vsomeip", "/var/lib/radio:/var/lib/radio", "cache:/var/cache"] }\n`

Mounts('a nested Quadlet mounting a host socket QM does not get: a note at render, a finding in the tree', async () => {
  const { notes } = rendered(VSOMEIP)
  assert.equal(notes.length, 1)
  assert.match(notes[0]!, /^qm\.yaml: nested radio: Volume=\/run\/vsomeip:\/run\/vsomeip: \/run\/vsomeip is under \/run, a tmpfs of QM's own/)
  const { host } = built(VSOMEIP, { seed: await tinySeed() })
  const report = await inspectTar(asInstalledByRpm(host))
  const hits = report.findings.filter((f) => f.id === 'nested.mount_not_from_host')
  assert.equal(hits.map((f) => [f.severity, f.file]), [['warning', '/etc/qm/containers/systemd/radio.container:7']])
})

Mounts('shared through a qm.container volume, the same mount is fine in both', async () => {
  const shared = `${VSOMEIP}container:\n  volumes: ["/run/ipc/vsomeip:/run/vsomeip"]\n  host_dirs: [{ path: /run/ipc/vsomeip }]\n`
  assert.equal(rendered(shared).notes, [])
  const { host } = built(shared, { seed: await tinySeed() })
  const report = await inspectTar(asInstalledByRpm(host))
  assert.equal(report.findings.filter((f) => f.id === 'nested.mount_not_from_host'), [])
})

Mounts('a path missing from QM\'s own tree is found too', async () => {
  const opt = VSOMEIP.replace('/run/vsomeip:/run/vsomeip', '/srv/maps:/maps')
  const { host } = built(opt, { seed: await tinySeed() })
  const report = await inspectTar(asInstalledByRpm(host))
  assert.equal(report.findings.filter((f) => f.id === 'nested.mount_not_from_host').map((f) => f.message.split(': ').slice(0, 2).join(': ')), ['radio: Volume=/srv/maps:/maps'])
})

Mounts.run()
