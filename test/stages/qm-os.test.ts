import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { generate } from '../../stages/qm-os.ts'
import { built, entryAt, rendered, tinySeed, TINY_ROOTFS } from '../_helpers/render.ts'

const Os = suite('qm-os')

const rpmRequest = (yaml: string) => {
  const [rpm] = rendered(yaml, { format: 'stages' }).plan!.pipelines[0]!.stages
  return rpm!.inputs!.packages!['mpp-depsolve'] as Record<string, unknown>
}

Os('by default osbuild-mpp resolves the base set, with the BlueChi agent when BlueChi is on', () => {
  const request = rpmRequest('')
  assert.equal(request.packages, ['systemd', 'podman', 'fuse-overlayfs', 'selinux-policy-targeted', 'procps-ng', 'bluechi-agent'])
  assert.is(request.architecture, '$arch')
  assert.is(request['module-platform-id'], '$distro_module_id')
  assert.is(request['ignore-weak-deps'], true)
  assert.not.ok((rpmRequest('bluechi: { enabled: false }\npolicy: automotive\n').packages as string[]).includes('bluechi-agent'))
  assert.ok((rpmRequest('policy: automotive\n').packages as string[]).includes('selinux-policy-automotive'))
})

Os('user packages and repos join the base, in both spellings', () => {
  const request = rpmRequest('rootfs:\n  packages: [vim-minimal]\n  repos_from: []\n  repos: [{ id: extra, baseurl: "https://r.example/$arch/" }]\ncontent:\n  rpms: [iputils]\n')
  assert.equal((request.packages as string[]).slice(-2), ['vim-minimal', 'iputils'])
  assert.equal(request.repos, [{ id: 'extra', baseurl: 'https://r.example/$arch/', priority: 99 }])
})

Os('repos of the importing manifest are read from its variables, each id once', () => {
  const repos = rpmRequest('').repos as { 'mpp-join': [unknown[], { 'mpp-eval': string }] }
  const expression = repos['mpp-join'][1]['mpp-eval']
  assert.is(expression, "list({r['id']: r for v in ['distro_repos', 'image_repos', 'extra_repos'] for r in globals().get(v, [])}.values())")
})

Os('pinned rpms are curl sources; with gpg keys every package is checked', () => {
  const sha = 'ab'.repeat(32)
  const { stages, sources } = generate({ kind: 'rpms', rpms: [{ url: 'https://m/p.rpm', sha256: sha }], gpgkeys: ['-----BEGIN PGP PUBLIC KEY BLOCK-----\nx'] })
  assert.equal(sources, { 'org.osbuild.curl': { items: { [`sha256:${sha}`]: { url: 'https://m/p.rpm' } } } })
  assert.equal(stages[0]!.inputs!.packages!.references, { [`sha256:${sha}`]: { metadata: { 'rpm.check_gpg': true } } })
})

Os('a local tarball is embedded and unpacked, and the tree ends with /etc and /var', async () => {
  const { stages, sources } = generate({ kind: 'tarball', content: readFileSync(TINY_ROOTFS) })
  assert.equal(stages.map((s) => s.type), ['org.osbuild.untar', 'org.osbuild.mkdir'])
  const [ref] = stages[0]!.inputs!.file!.references as string[]
  const item = sources['org.osbuild.inline']!.items[ref!] as { data: string }
  assert.equal(Buffer.from(item.data, 'base64'), readFileSync(TINY_ROOTFS))
  const { qm } = built(`rootfs:\n  tarball: { source_path: ${TINY_ROOTFS} }\n`, { seed: await tinySeed(), file: 'qm.yaml' })
  assert.is(entryAt(qm, '/var/tmp')!.mode.toString(8), '1777')
  assert.is(entryAt(qm, '/usr/sbin/init')!.target, '../lib/systemd/systemd')
})

Os('an existing pipeline is copied whole', () => {
  const { stages } = generate({ kind: 'pipeline', pipeline: 'os' })
  assert.equal(stages[0]!.inputs!.os!.references, ['name:os'])
})

Os.run()
