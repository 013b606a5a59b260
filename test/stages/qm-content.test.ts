import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { generate } from '../../stages/qm-content.ts'
import { generate as systemd } from '../../stages/qm-systemd.ts'
import { built, CONTENT_STAGE_ORDER, entryAt, EVERY_CONTENT_STAGE, has, mode, rendered, text, tinySeed, TINY_ROOTFS } from '../_helpers/render.ts'

const FIXTURES = 'test/fixtures/content/qm.yaml'

const Content = suite('qm-content')

Content('directories, files, links and modes as automotive-image-builder does them', () => {
  const { host } = built(
    `
content:
  make_dirs:
    - { path: /var/lib/radio, mode: 0750, parents: true }
    - { path: /etc/radio/presets, mode: 0700, parents: true }
  add_files:
    - { path: /etc/radio/radio.conf, text: "station = 101.5\\n" }
    - { path: /usr/libexec/radio/tool, source_path: tool.sh }
  add_symlinks:
    - { link: /etc/radio/current.conf, target: radio.conf }
  chmod_files:
    - { path: /usr/libexec/radio/tool, mode: "0755" }
    - { path: /etc/radio, mode: "go-rx", recursive: true }
`,
    { file: FIXTURES },
  )
  assert.is(mode(host, '/usr/share/factory/var/qm/lib/radio'), '750', 'QM\'s /var seed (image mode)')
  assert.is(mode(host, '/etc/qm/radio/presets'), '700')
  assert.is(text(host, '/etc/qm/radio/radio.conf'), 'station = 101.5\n')
  assert.is(text(host, '/usr/lib/qm/rootfs/usr/libexec/radio/tool'), '#!/bin/sh\necho tool\n')
  assert.is(mode(host, '/usr/lib/qm/rootfs/usr/libexec/radio/tool'), '755')
  assert.is(entryAt(host, '/etc/qm/radio/current.conf')!.target, 'radio.conf')
  assert.is(mode(host, '/etc/qm/radio'), '700')
  assert.is(mode(host, '/etc/qm/radio/radio.conf'), '600')
})

Content('a glob copies the matching files, skipping dot files; preserve_path keeps their directories', () => {
  const flat = built('content:\n  add_files:\n    - { path: /etc/app, source_glob: "conf.d/*.conf" }\n', { file: FIXTURES }).host
  assert.ok(has(flat, '/etc/qm/app/a.conf') && has(flat, '/etc/qm/app/b.conf'))
  assert.not.ok(has(flat, '/etc/qm/app/.hidden.conf'))
  const deep = built('content:\n  add_files:\n    - { path: /etc/app, source_glob: "conf.d/**/*.conf", preserve_path: true }\n', { file: FIXTURES }).host
  assert.is(text(deep, '/etc/qm/app/conf.d/sub/c.conf'), 'deep\n')
})

Content('a glob matching nothing is an error unless allow_empty, which makes the directory', () => {
  const failed = rendered.bind(null)
  assert.throws(() => failed('content:\n  add_files:\n    - { path: /etc/app, source_glob: "none/*" }\n', { file: FIXTURES }), /FILE_READ .*matches no file/)
  assert.is(entryAt(built('content:\n  add_files:\n    - { path: /etc/app, source_glob: "none/*", allow_empty: true }\n', { file: FIXTURES }).host, '/etc/qm/app')!.type, 'dir')
})

Content('a missing local file is a positioned error', () => {
  assert.throws(() => rendered('content:\n  add_files:\n    - { path: /etc/x, source_path: nope.txt }\n', { file: FIXTURES }), /qm\.yaml:3:36 FILE_READ \/content\/add_files\/0\/source_path: cannot read .*nope\.txt: ENOENT/)
})

Content('a url with its sha256 is a curl source; a url without one is refused (nothing is fetched unverified)', () => {
  const sha = 'd'.repeat(64)
  const { plan } = rendered(`content:\n  add_files:\n    - { path: /etc/a, url: "https://x/a", sha256: ${sha} }\n`, { format: 'stages' })
  assert.equal(plan!.sources['org.osbuild.curl']!.items[`sha256:${sha}`], { url: 'https://x/a' })
  assert.throws(() => rendered('content:\n  add_files:\n    - { path: /etc/b, url: "https://x/b" }\n'), /qm\.yaml:3:7 CONFIG_INVALID \/content\/add_files\/0: a url needs its sha256/)
})

Content('owners are set by the QM tree\'s own chown, which a tree without coreutils lacks', async () => {
  const seed = await tinySeed()
  assert.throws(() => built(`rootfs: { tarball: { source_path: ${TINY_ROOTFS} } }\ncontent:\n  chown_files: [{ path: /etc/os-release, user: 0 }]\n`, { seed }), /no chown/)
})

Content('the stages come in automotive-image-builder\'s order', () => {
  const fragment = generate(EVERY_CONTENT_STAGE)
  assert.equal(fragment.stages.map((s) => s.type), CONTENT_STAGE_ORDER)
})

Content.run()

// ---

const Systemd = suite('qm-systemd')

Systemd('masks, disables and enables units inside QM', async () => {
  const { host } = built(`rootfs: { tarball: { source_path: ${TINY_ROOTFS} } }\ncontent:\n  systemd: { masked_services: [getty@tty1.service] }\n`, { seed: await tinySeed() })
  assert.is(entryAt(host, '/etc/qm/systemd/system/getty@tty1.service')!.target, '/dev/null')
  assert.is(entryAt(host, '/etc/qm/systemd/system/multi-user.target.wants/bluechi-agent.service')!.target, '/usr/lib/systemd/system/bluechi-agent.service')
  assert.equal(systemd({ enabled: [], disabled: [], masked: [] }).stages, [])
})

Systemd.run()
