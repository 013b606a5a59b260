import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { generate as images } from '../../stages/qm-images.ts'
import { generate as storage } from '../../stages/qm-storage-conf.ts'
import { built, tinySeed, toml, TINY_ROOTFS } from '../_helpers/render.ts'

const Storage = suite('qm-storage-conf')

const tarball = `rootfs:\n  tarball: { source_path: ${TINY_ROOTFS} }\n`
const image = (extra = '') => `container_images:\n  - { source: quay.io/org/app, digest: sha256:${'1'.repeat(64)}, image_id: sha256:${'2'.repeat(64)}${extra} }\n`

Storage('merges into the OS\'s storage.conf: transient store, other keys kept', async () => {
  const { host } = built(tarball, { seed: await tinySeed() })
  const conf = toml(host, '/usr/lib/qm/rootfs/usr/share/containers/storage.conf')
  assert.equal(conf.storage!.transient_store, true)
  assert.equal(conf.storage!.driver, 'overlay')
  assert.equal((conf.storage!.options as Record<string, unknown>).additionalimagestores, [], 'no store listed without images (podman fails on a missing store)')
})

Storage('lists QM\'s read-only image store when images are embedded', async () => {
  const { host } = built(tarball + image(), { seed: await tinySeed() })
  const conf = toml(host, '/usr/lib/qm/rootfs/usr/share/containers/storage.conf')
  assert.equal((conf.storage!.options as Record<string, unknown>).additionalimagestores, ['/usr/lib/containers/storage'])
})

Storage('can merge into /etc/containers/storage.conf instead', () => {
  const { stages } = storage({ path: '/etc/containers/storage.conf', transientStore: false })
  assert.equal(stages[1]!.options, { filename: '/etc/containers/storage.conf', config: { storage: { transient_store: false } } })
})

Storage.run()

// ---

const Images = suite('qm-images')

Images('an image with digest and image id is pinned without osbuild-mpp', () => {
  const { stages, sources } = images({ images: [{ source: 'quay.io/org/app', digest: `sha256:${'1'.repeat(64)}`, imageId: `sha256:${'2'.repeat(64)}`, name: 'localhost/app:latest' }], store: '/usr/lib/containers/storage' })
  assert.equal(stages[0]!.options, { destination: { type: 'containers-storage', 'storage-path': '/usr/lib/containers/storage' } })
  assert.equal(stages[0]!.inputs!.images!.references, { [`sha256:${'2'.repeat(64)}`]: { name: 'localhost/app:latest' } })
  assert.equal(sources['org.osbuild.skopeo']!.items[`sha256:${'2'.repeat(64)}`], { image: { name: 'quay.io/org/app', digest: `sha256:${'1'.repeat(64)}` } })
})

Images('other images are resolved (and pinned) by osbuild-mpp', () => {
  const { stages, sources } = images({ images: [{ source: 'quay.io/org/app', tag: '1.0', name: 'localhost/app:1.0', transport: 'containers-storage' }], store: '/usr/lib/containers/storage' })
  assert.equal(stages[0]!.inputs!.images!['mpp-resolve-images'], { images: [{ source: 'quay.io/org/app', name: 'localhost/app:1.0', tag: '1.0', 'containers-transport': 'containers-storage' }] })
  assert.equal(sources, {})
})

Images('the tree command says the images were not copied unless a seed covers them', () => {
  const { notes } = built(image())
  assert.ok(notes.includes('qm_rootfs: org.osbuild.skopeo not materialised (give --seed)'), notes.join('\n'))
})

Images.run()
