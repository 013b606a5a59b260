// Writes examples/rootfs/tiny-rootfs.tar: a few-entry stand-in for a QM operating system
// (init, a BlueChi agent unit, containers-common's storage.conf), small enough to embed,
// so that examples/07 builds with plain osbuild and no package mirror. Deterministic bytes.
import { writeFileSync } from 'node:fs'
import { pack, type Header } from 'tar-stream'

type Entry = { name: string; type?: 'directory' | 'symlink'; mode: number; body?: string; linkname?: string }

export const TINY_ROOTFS: Entry[] = [
  { name: 'etc', type: 'directory', mode: 0o755 },
  { name: 'etc/containers', type: 'directory', mode: 0o755 },
  { name: 'etc/os-release', mode: 0o644, body: 'NAME="tiny QM rootfs"\nID=tiny\nVERSION_ID=1\n' },
  { name: 'usr', type: 'directory', mode: 0o755 },
  { name: 'usr/bin', type: 'directory', mode: 0o755 },
  { name: 'usr/bin/podman', mode: 0o755, body: '#!/bin/sh\necho podman stand-in\n' },
  { name: 'usr/lib', type: 'directory', mode: 0o755 },
  { name: 'usr/lib/systemd', type: 'directory', mode: 0o755 },
  { name: 'usr/lib/systemd/systemd', mode: 0o755, body: '#!/bin/sh\necho systemd stand-in\n' },
  { name: 'usr/lib/systemd/system', type: 'directory', mode: 0o755 },
  {
    name: 'usr/lib/systemd/system/bluechi-agent.service',
    mode: 0o644,
    body: '[Unit]\nDescription=BlueChi agent stand-in\n\n[Service]\nExecStart=/usr/libexec/bluechi-agent\n\n[Install]\nWantedBy=multi-user.target\n',
  },
  { name: 'usr/libexec', type: 'directory', mode: 0o755 },
  { name: 'usr/libexec/bluechi-agent', mode: 0o755, body: '#!/bin/sh\necho bluechi-agent stand-in\n' },
  { name: 'usr/sbin', type: 'directory', mode: 0o755 },
  { name: 'usr/sbin/init', type: 'symlink', mode: 0o777, linkname: '../lib/systemd/systemd' },
  { name: 'usr/share', type: 'directory', mode: 0o755 },
  { name: 'usr/share/containers', type: 'directory', mode: 0o755 },
  {
    name: 'usr/share/containers/storage.conf',
    mode: 0o644,
    body: '[storage]\ndriver = "overlay"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n\n[storage.options]\nadditionalimagestores = []\n\n[storage.options.overlay]\nmountopt = "nodev,metacopy=on"\n',
  },
  { name: 'sbin', type: 'symlink', mode: 0o777, linkname: 'usr/sbin' },
  { name: 'var', type: 'directory', mode: 0o755 },
  { name: 'var/tmp', type: 'directory', mode: 0o1777 },
  { name: 'var/lib', type: 'directory', mode: 0o755 },
]

export async function tinyRootfs(): Promise<Buffer> {
  const tar = pack()
  const chunks: Buffer[] = []
  tar.on('data', (c: unknown) => void chunks.push(c as Buffer))
  const done = new Promise<void>((resolve) => tar.on('end', () => resolve()))
  for (const e of TINY_ROOTFS) {
    const header: Partial<Header> & { name: string } = { name: e.name, mode: e.mode, mtime: new Date(0), uid: 0, gid: 0, uname: 'root', gname: 'root', type: e.type ?? 'file', ...(e.linkname ? { linkname: e.linkname } : {}) }
    tar.entry(header, e.body ?? '')
  }
  tar.finalize()
  await done
  return Buffer.concat(chunks)
}

if (process.argv[1]?.endsWith('tiny-rootfs.ts')) void tinyRootfs().then((tar) => writeFileSync('examples/rootfs/tiny-rootfs.tar', tar))
