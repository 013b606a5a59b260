import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { errorLines, load, yaml } from '../_helpers/config.ts'

const codes = (text: string) => load(text).errors.map((e) => `${e.code} ${e.pointer}`)

// ---

const Paths = suite('checkConfig: paths')

Paths('add_files may write under /etc/ and /usr/ only, never /usr/local/', () => {
  assert.equal(
    codes(yaml`
      content:
        add_files:
          - { path: /var/lib/x, text: a }
          - { path: /usr/local/bin/x, text: a }
          - { path: /etc/x, text: a }
    `),
    ['PATH_NOT_ALLOWED /content/add_files/0/path', 'PATH_NOT_ALLOWED /content/add_files/1/path'],
  )
})

Paths('paths must be absolute and normalised', () => {
  for (const path of ['etc/x', '/etc/../etc/shadow', '/etc//x', '/etc/./x', '/etc/x/']) {
    assert.equal(codes(`content:\n  make_dirs:\n    - path: "${path}"\n`), ['PATH_NOT_ALLOWED /content/make_dirs/0/path'], path)
  }
})

Paths('directories, links and modes may also be under /var/', () => {
  assert.equal(
    codes(yaml`
      content:
        make_dirs: [{ path: /var/lib/app }]
        add_symlinks: [{ link: /var/lib/app/cur, target: v1 }]
        chmod_files: [{ path: /var/lib/app, mode: "0700" }]
        chown_files: [{ path: /var/lib/app, user: 1000 }]
    `),
    [],
  )
})

Paths.run()

// ---

const Sources = suite('checkConfig: sources')

Sources('an added file has exactly one origin', () => {
  assert.equal(codes('content:\n  add_files:\n    - { path: /etc/x, text: a, source_path: b }\n'), ['CONFIG_INVALID /content/add_files/0'])
  assert.equal(codes('content:\n  add_files:\n    - { path: /etc/x }\n'), ['CONFIG_INVALID /content/add_files/0'])
})

Sources('the same file twice is a conflict', () => {
  assert.equal(codes('content:\n  add_files:\n    - { path: /etc/x, text: a }\n    - { path: /etc/x, text: b }\n'), ['CONFLICT /content/add_files/1/path'])
})

Sources('rootfs takes one source and package resolution keys only without one', () => {
  assert.equal(
    codes(yaml`
      rootfs:
        pipeline: os
        tarball: { url: "https://x/r.tar", sha256: ${'a'.repeat(64)} }
        packages: [vim]
    `),
    ['CONFLICT /rootfs/pipeline', 'CONFLICT /rootfs/packages'],
  )
  assert.equal(codes('rootfs:\n  tarball: { url: "https://x/r.tar" }\n'), ['CONFIG_INVALID /rootfs/tarball'])
})

Sources('host_files: plugin needs the seccomp profile and the SELinux module from somewhere', () => {
  assert.equal(codes('host_files: plugin\n'), ['SOURCE_MISSING /container/seccomp_profile', 'SOURCE_MISSING /selinux'])
  assert.equal(
    codes(yaml`
      host_files: plugin
      container: { seccomp_source: { pipeline: build } }
      selinux: { module: { pipeline: build } }
    `),
    [],
  )
})

Sources('with host_files: rpm the rpm provides the module, and a custom seccomp path needs a source', () => {
  assert.equal(codes('selinux:\n  module: { source_path: qm.pp.bz2 }\n'), ['CONFLICT /selinux/module'])
  assert.equal(codes('container:\n  seccomp_profile: /etc/qm-seccomp.json\n'), ['SOURCE_MISSING /container/seccomp_profile'])
})

Sources.run()

// ---

const Nested = suite('checkConfig: nested containers')

Nested('a nested image must be embedded or explicitly pulled', () => {
  const [line] = errorLines('nested:\n  - { name: radio, image: quay.io/x/radio }\n')
  assert.match(line!, /^qm\.yaml:2:27 IMAGE_NOT_EMBEDDED \/nested\/0\/image: quay\.io\/x\/radio is not in container_images/)
  assert.equal(codes('nested:\n  - { name: radio, image: quay.io/x/radio, pull: missing }\n'), [])
  assert.equal(codes('nested:\n  - { name: radio, image: quay.io/x/radio, pull: never }\n'), ['IMAGE_NOT_EMBEDDED /nested/0/image'])
})

Nested('an embedded image matches with or without the implied :latest', () => {
  const embedded = (image: string) =>
    codes(yaml`
      container_images: [{ source: quay.io/x/radio, name: localhost/radio }]
      nested: [{ name: radio, image: ${image} }]
    `)
  assert.equal(embedded('localhost/radio'), [])
  assert.equal(embedded('localhost/radio:latest'), [])
  assert.equal(embedded('localhost/radio:v2'), ['IMAGE_NOT_EMBEDDED /nested/0/image'])
})

Nested('names are unique and typed keys are not set again raw', () => {
  assert.equal(
    codes(yaml`
      nested:
        - { name: a, image: x, pull: always }
        - { name: a, image: x, pull: always, container: { Image: y } }
    `),
    ['CONFLICT /nested/1/name', 'CONFLICT /nested/1/container/Image'],
  )
})

Nested('a nested container is started by its own enabled flag, not content.systemd', () => {
  assert.equal(
    codes(yaml`
      nested: [{ name: radio, image: x, pull: always }]
      content: { systemd: { enabled_services: [radio.service] } }
    `),
    ['CONFLICT /content/systemd/enabled_services/0'],
  )
})

Nested.run()

// ---

const Other = suite('checkConfig: other rules')

Other('capabilities must exist, and not be added and dropped at once', () => {
  assert.equal(codes('container:\n  drop_capabilities: [net_raw, CAP_NET_RAWW]\n'), ['CONFIG_INVALID /container/drop_capabilities/1'])
  assert.equal(codes('container:\n  add_capabilities: [net_admin]\n  drop_capabilities: [NET_ADMIN]\n'), ['CONFLICT /container/add_capabilities/0'])
})

Other('the BlueChi controller is a socket or a host, and the agent keys qm-stage sets are not raw', () => {
  assert.equal(
    codes(yaml`
      bluechi:
        controller: { address: "unix:path=/run/b.sock", host: 10.0.0.1 }
        agent: { NodeName: qm.x }
    `),
    ['CONFLICT /bluechi/controller/address', 'CONFLICT /bluechi/agent/NodeName'],
  )
})

Other('automotive-image-builder keys are accepted by the config, with their path rules', () => {
  assert.equal(errorLines('content:\n  remove_files: [{ path: /etc/x }]\n  enable_repos: [debug]\n  sbom: { doc_path: /usr/share/qm.spdx.json }\ncontainer_checksum: ' + 'ab'.repeat(32) + '\n'), [])
  assert.equal(codes('content:\n  remove_files: [{ path: /boot/x }]\n'), ['PATH_NOT_ALLOWED /content/remove_files/0/path'])
  assert.equal(codes('content:\n  enable_repos: [debuginfo]\n'), ['CONFIG_INVALID /content/enable_repos/0'])
  assert.equal(codes('container_checksum: sha256:' + 'ab'.repeat(32) + '\n'), ['CONFIG_INVALID /container_checksum'])
})

Other.run()
