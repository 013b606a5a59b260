// Deterministic image-shaped tars for the inspect benchmark. The shape follows what `tar --format=posix
// --selinux --xattrs` (osbuild's org.osbuild.tar defaults) makes of an AutoSD-style tree: every member has a PAX
// header with times and its SELinux label; most members are small files, a few are very large; QM is a
// nested OS under /usr/lib/qm/rootfs with copies of its etc/ and var/ at /etc/qm and /var/qm; Quadlet files
// sit under /usr/share/containers/systemd and /etc/containers/systemd. Same arguments, same bytes.

import { closeSync, openSync, writeSync } from 'node:fs'

export interface Shape {
  entries: number
  bytes: number
}

interface Spec {
  path: string
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'fifo'
  size: number
  mode: number
  label: string
  target?: string
  /** Literal content for the config files the inspect report reads. */
  text?: string
  /** A character device's number (an overlay whiteout is 0:0). */
  major?: number
  minor?: number
}

/** mulberry32: small, fast, and the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// ---- the tree ------------------------------------------------------------------------------

const QUADLETS: [string, string][] = [
  ['/usr/share/containers/systemd/qm.container', '[Unit]\nDescription=QM\n[Container]\nImage=none\nRootfs=/usr/lib/qm/rootfs\nReadOnly=true\n[Service]\nOOMScoreAdjust=500\n'],
  ['/usr/share/containers/systemd/qm.container.d/10-automotive.conf', '[Service]\nMemoryMax=infinity\nCPUWeight=50\n'],
  ['/usr/share/containers/systemd/qm.container.d/20-wayland-extra-devices.conf', '[Container]\nAddDevice=-/dev/dri/renderD128\n'],
  ['/usr/share/containers/systemd/qm.container.d/30-bluechi.conf', '[Container]\nVolume=/run/bluechi:/run/bluechi\n'],
  ['/etc/containers/systemd/qm.container.d/50-admin.conf', '[Service]\nMemoryHigh=2G\n'],
  ['/etc/containers/systemd/asil-app.container', '[Container]\nImage=localhost/asil-app:latest\n[Service]\nOOMScoreAdjust=-1000\n'],
  ['/etc/containers/systemd/diag.container', '[Container]\nImage=localhost/diag:latest\n'],
]

const QM_ETC_FILES: [string, string][] = [
  ['containers/containers.conf', '[containers]\noom_score_adj = 750\nnetns = "host"\n'],
  ['containers/storage.conf', '[storage]\ndriver = "overlay"\ntransient_store = true\n'],
  ['bluechi/agent.conf', '[bluechi-agent]\nControllerAddress=unix:path=/run/bluechi/bluechi.sock\n'],
  ['bluechi/agent.conf.d/00-default.conf', '[bluechi-agent]\nNodeName=qm.localhost\n'],
  ['subuid', 'containers:1000000000:1500000000\n'],
  ['subgid', 'containers:1000000000:1500000000\n'],
  ...Array.from({ length: 8 }, (_, i): [string, string] => [`containers/systemd/nested-${i}.container`, `[Container]\nImage=localhost/nested-${i}:latest\n[Service]\nOOMScoreAdjust=${1000 - i}\n`]),
  ...Array.from({ length: 4 }, (_, i): [string, string] => [`containers/systemd/nested-${i}.container.d/10-limits.conf`, '[Service]\nMemoryMax=256M\n']),
]

/** Names for directories and files; the pick is seeded, so the tree is the same every run. */
const WORDS = 'alsa audio bluez boot cairo cups dbus dracut efi firmware fonts gcc glib gnupg grub gtk icu kernel krb5 libxml locale lvm mesa modules net nss openssl pam perl pipewire polkit python rpm selinux sound ssl sysctl systemd tls udev vim wayland xz yum zlib'.split(' ')

function buildTree(shape: Shape): Spec[] {
  const rand = prng(0x51a7e)
  const specs: Spec[] = []
  const dirs = new Set<string>()
  const dir = (path: string, label = 'usr_t') => {
    for (let p = path; p !== '' && !dirs.has(p); p = p.slice(0, p.lastIndexOf('/'))) {
      dirs.add(p)
      specs.push({ path: p, type: 'dir', size: 0, mode: 0o755, label })
    }
  }
  const file = (path: string, size: number, label: string, text?: string) => {
    dir(path.slice(0, path.lastIndexOf('/')), label)
    specs.push({ path, type: 'file', size: text === undefined ? size : text.length, mode: 0o644, label, ...(text === undefined ? {} : { text }) })
  }
  const link = (path: string, target: string, label: string) => {
    dir(path.slice(0, path.lastIndexOf('/')), label)
    specs.push({ path, type: 'symlink', size: 0, mode: 0o777, label, target })
  }
  dirs.add('')
  specs.push({ path: '/', type: 'dir', size: 0, mode: 0o755, label: 'root_t' })

  // Large files: 55% of the bytes in ~20 files per GB (kernel, firmware, locale archive, LLVM, image layers).
  const largeCount = Math.max(8, Math.round((shape.bytes / 1e9) * 20))
  const largeBudget = shape.bytes * 0.55
  const largeNames = ['usr/lib/locale/locale-archive', 'usr/lib64/libLLVM.so.17', 'var/lib/rpm/rpmdb.sqlite', 'usr/lib/modules/6.12.0/vmlinuz', 'usr/lib/firmware/blob']
  const weights = Array.from({ length: largeCount }, () => 0.3 + rand())
  const weightSum = weights.reduce((a, b) => a + b, 0)
  for (let i = 0; i < largeCount; i++) {
    const base = largeNames[i % largeNames.length]!
    const name = i < largeNames.length ? base : `usr/lib/containers/storage/overlay/${(i * 7919).toString(16).padStart(8, '0')}/diff/layer.bin`
    file(`/${name}`, Math.round((largeBudget * weights[i]!) / weightSum), 'usr_t')
  }

  // QM: a nested OS, its etc/ and var/ copied to /etc/qm and /var/qm, and the Quadlet files. Its etc/ and
  // var/ keep their size whatever the image's (a bigger host does not grow QM's configuration); the rest
  // of the rootfs is in the bulk below.
  const qmEtc: [string, number, string?][] = QM_ETC_FILES.map(([p, t]) => [p, t.length, t])
  for (let i = 0; qmEtc.length < 200; i++) qmEtc.push([`${WORDS[i % WORDS.length]}/conf-${i}.conf`, 200 + Math.floor(rand() * 3000)])
  const qmVar: [string, number][] = [['tmp/.keep', 0]]
  for (let i = 0; qmVar.length < 60; i++) qmVar.push([`lib/${WORDS[i % WORDS.length]}/state-${i}`, Math.floor(rand() * 8000)])
  for (const [p, size, text] of qmEtc) {
    file(`/usr/lib/qm/rootfs/etc/${p}`, size, 'qm_file_t', text)
    file(`/etc/qm/${p}`, size, 'qm_file_t', text)
  }
  for (const [p, size] of qmVar) {
    file(`/usr/lib/qm/rootfs/var/${p}`, size, 'qm_file_t')
    file(`/var/qm/${p}`, size, 'qm_file_t')
  }
  for (const bin of ['usr/lib/systemd/systemd', 'usr/bin/podman', 'usr/bin/bluechi-agent', 'usr/bin/conmon', 'usr/bin/crun']) {
    file(`/usr/lib/qm/rootfs/${bin}`, 200_000 + Math.floor(rand() * 800_000), 'qm_file_t')
  }
  link('/usr/lib/qm/rootfs/sbin', 'usr/sbin', 'qm_file_t')
  link('/usr/lib/qm/rootfs/usr/sbin/init', '../lib/systemd/systemd', 'qm_file_t')
  for (const [p, text] of QUADLETS) file(p, 0, 'container_unit_file_t', text)
  file('/usr/share/selinux/packages/qm.pp.bz2', 48_000, 'usr_t')
  file('/etc/selinux/targeted/contexts/files/file_contexts', 600_000, 'file_context_t')

  // Bulk: the host OS and the rest of the QM rootfs, small files in directories of ~12, some symlinks
  // (shared library names) and a few hard links.
  const fixed = specs.length
  const bulkEntries = shape.entries - fixed
  const smallBudget = shape.bytes - specs.reduce((n, s) => n + s.size, 0)
  const bulk: Spec[] = []
  const roots = ['/usr/share/doc', '/usr/share/man', '/usr/share/locale', '/usr/lib64', '/usr/lib/python3.12', '/usr/lib/modules/6.12.0/kernel', '/usr/share/icons', '/etc', '/usr/lib/qm/rootfs/usr/share', '/usr/lib/qm/rootfs/usr/lib64']
  let d = 0
  while (bulk.length < bulkEntries) {
    const root = roots[d % roots.length]!
    const sub = `${root}/${WORDS[Math.floor(rand() * WORDS.length)]}-${d.toString(36)}`
    const label = root.startsWith('/usr/lib/qm') ? 'qm_file_t' : root === '/etc' ? 'etc_t' : 'usr_t'
    const before = specs.length
    dir(sub, label)
    bulk.push(...specs.splice(before))
    const n = 6 + Math.floor(rand() * 14)
    for (let i = 0; i < n; i++) {
      const r = rand()
      const path = `${sub}/f${i.toString().padStart(3, '0')}-${WORDS[(d + i) % WORDS.length]}`
      if (r < 0.09) bulk.push({ path: `${path}.so`, type: 'symlink', size: 0, mode: 0o777, label, target: `f000-${WORDS[d % WORDS.length]}` })
      else if (r < 0.1 && i > 0) bulk.push({ path: `${sub}/zz-hardlink-${i}`, type: 'hardlink', size: 0, mode: 0o644, label, target: `${sub}/f000-${WORDS[d % WORDS.length]}`.slice(1) })
      // Log-normal sizes, median ~3 KiB, as in /usr: most files are small, a few are hundreds of KiB.
      else bulk.push({ path, type: 'file', size: Math.min(2_000_000, Math.round(Math.exp(8 + 1.6 * gauss(rand)))), mode: r < 0.2 ? 0o755 : 0o644, label })
    }
    d++
  }
  // Fit: `entries` members (less the few hard links whose target is cut off), and scale the small files so
  // the archive holds about `bytes`. A directory always comes before its files, so a cut leaves no orphans.
  bulk.length = Math.min(bulk.length, bulkEntries)
  const files = bulk.filter((s) => s.type === 'file')
  const sum = files.reduce((n, s) => n + s.size, 0)
  for (const s of files) s.size = Math.round((s.size * smallBudget) / sum)
  specs.push(...bulk)
  const valid = validateLinks(specs)
  valid.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return valid
}

/** Drop hard links whose target was cut off by the fit, so every link points to a member before it. */
function validateLinks(specs: Spec[]): Spec[] {
  const files = new Set(specs.filter((s) => s.type === 'file').map((s) => s.path.slice(1)))
  return specs.filter((s) => s.type !== 'hardlink' || (files.has(s.target!) && s.target! < s.path.slice(1)))
}

function gauss(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand())
}

// ---- content ------------------------------------------------------------------------------

/**
 * 8 MiB of content that compresses like an OS tree (about 3:1): text runs from a word list mixed with
 * binary-looking runs. A file's data is a slice of it, wrapping around.
 */
function contentPool(): Buffer {
  const rand = prng(0xc0ffee)
  const pool = Buffer.alloc(8 * 1024 * 1024)
  let at = 0
  while (at < pool.length) {
    const run = 256 + Math.floor(rand() * 4096)
    if (rand() < 0.55) {
      for (let i = 0; i < run && at < pool.length; ) {
        const w = WORDS[Math.floor(rand() * WORDS.length)]! + (rand() < 0.1 ? '\n' : ' ')
        at += pool.write(w, at, 'latin1')
        i += w.length
      }
    } else {
      for (let i = 0; i < run && at < pool.length; i++) pool[at++] = rand() < 0.3 ? 0 : Math.floor(rand() * 256)
    }
  }
  return pool
}

// ---- tar writing ----------------------------------------------------------------------------

const TYPEFLAG = { file: '0', hardlink: '1', symlink: '2', char: '3', dir: '5', fifo: '6' } as const

function ustarHeader(b: Buffer, name: string, spec: { type: string; size: number; mode: number; linkname: string; major?: number; minor?: number }): void {
  b.fill(0, 0, 512)
  b.write(name, 0, 100, 'utf8')
  b.write(spec.mode.toString(8).padStart(7, '0'), 100, 'latin1')
  b.write('0000000', 108, 'latin1')
  b.write('0000000', 116, 'latin1')
  b.write(spec.size.toString(8).padStart(11, '0'), 124, 'latin1')
  b.write((1_700_000_000).toString(8).padStart(11, '0'), 136, 'latin1')
  b.write(spec.type, 156, 'latin1')
  b.write(spec.linkname, 157, 100, 'utf8')
  b.write('ustar\u000000', 257, 'latin1')
  b.write('root', 265, 'latin1')
  b.write('root', 297, 'latin1')
  if (spec.major !== undefined) {
    b.write(spec.major.toString(8).padStart(7, '0'), 329, 'latin1')
    b.write((spec.minor ?? 0).toString(8).padStart(7, '0'), 337, 'latin1')
  }
  b.fill(0x20, 148, 156)
  let sum = 0
  for (let i = 0; i < 512; i++) sum += b[i]!
  b.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 'latin1')
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`
  let len = Buffer.byteLength(body) + 1
  while (String(len).length + Buffer.byteLength(body) !== len) len++
  return `${len}${body}`
}

/** A write buffer flushed in large pieces. */
class Out {
  private readonly buf = Buffer.alloc(8 * 1024 * 1024)
  private used = 0
  written = 0
  private readonly fd: number
  constructor(fd: number) {
    this.fd = fd
  }
  reserve(n: number): Buffer {
    if (this.used + n > this.buf.length) this.flush()
    const view = this.buf.subarray(this.used, this.used + n)
    this.used += n
    this.written += n
    return view
  }
  /** Copy `n` bytes of pool content (from `start`, wrapping), padded to whole blocks. */
  content(pool: Buffer, start: number, n: number): void {
    let left = n
    let at = start % pool.length
    while (left > 0) {
      const piece = Math.min(left, pool.length - at, this.buf.length)
      this.reserve(piece).set(pool.subarray(at, at + piece))
      left -= piece
      at = (at + piece) % pool.length
    }
    const pad = (512 - (n % 512)) % 512
    if (pad) this.reserve(pad).fill(0)
  }
  flush(): void {
    let done = 0
    while (done < this.used) done += writeSync(this.fd, this.buf, done, this.used - done)
    this.used = 0
  }
}

/** Write the tar for `shape` to `path`; returns its member count and size in bytes. */
export function writeImageTar(path: string, shape: Shape): { members: number; bytes: number } {
  return writeSpecs(path, buildTree(shape))
}

/**
 * A QM rootfs as `tree --seed` takes it (what rpm would install into qm_rootfs): an OS tree from its root,
 * with the files QM's stages read (storage.conf, the BlueChi agent's unit, os-release), and an image store
 * under /usr/lib/containers/storage whose layers hold overlay whiteouts (character devices 0:0) and a FIFO.
 */
export function writeSeedTar(path: string, shape: Shape): { members: number; bytes: number } {
  return writeSpecs(path, buildSeed(shape))
}

function buildSeed(shape: Shape): Spec[] {
  const rand = prng(0x5eed)
  const specs: Spec[] = []
  const dirs = new Set<string>([''])
  const dir = (path: string, label = 'usr_t', mode = 0o755) => {
    const missing: string[] = []
    for (let p = path; p !== '' && !dirs.has(p); p = p.slice(0, p.lastIndexOf('/'))) missing.push(p)
    for (const p of missing.reverse()) {
      dirs.add(p)
      specs.push({ path: p, type: 'dir', size: 0, mode: p === path ? mode : 0o755, label })
    }
  }
  const file = (path: string, size: number, label: string, text?: string, mode = 0o644) => {
    dir(path.slice(0, path.lastIndexOf('/')), label)
    specs.push({ path, type: 'file', size: text === undefined ? size : Buffer.byteLength(text), mode, label, ...(text === undefined ? {} : { text }) })
  }
  specs.push({ path: '/', type: 'dir', size: 0, mode: 0o755, label: 'root_t' })
  file('/etc/os-release', 0, 'etc_t', 'NAME="AutoSD"\nID=autosd\nVERSION_ID=10\n')
  file('/usr/share/containers/storage.conf', 0, 'usr_t', '[storage]\ndriver = "overlay"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n\n[storage.options]\nadditionalimagestores = []\n')
  file('/usr/lib/systemd/system/bluechi-agent.service', 0, 'systemd_unit_file_t', '[Unit]\nDescription=BlueChi agent\n[Service]\nExecStart=/usr/libexec/bluechi-agent\n[Install]\nWantedBy=multi-user.target\n')
  file('/usr/lib/systemd/system/multi-user.target', 0, 'systemd_unit_file_t', '[Unit]\nDescription=Multi-User System\n')
  for (const bin of ['usr/lib/systemd/systemd', 'usr/bin/podman', 'usr/libexec/bluechi-agent', 'usr/bin/conmon', 'usr/bin/crun']) {
    file(`/${bin}`, 200_000 + Math.floor(rand() * 800_000), 'bin_t', undefined, 0o755)
  }
  dir('/usr/sbin')
  specs.push({ path: '/usr/sbin/init', type: 'symlink', size: 0, mode: 0o777, label: 'bin_t', target: '../lib/systemd/systemd' })
  specs.push({ path: '/sbin', type: 'symlink', size: 0, mode: 0o777, label: 'bin_t', target: 'usr/sbin' })
  dir('/var/tmp', 'tmp_t', 0o1777)
  // Layers of the embedded images, each with whiteouts (deleted files) and one with a FIFO.
  const layers = Math.max(4, Math.round((shape.bytes / 1e9) * 8))
  for (let l = 0; l < layers; l++) {
    const diff = `/usr/lib/containers/storage/overlay/${(l * 104729).toString(16).padStart(12, '0')}/diff`
    dir(`${diff}/etc`, 'container_ro_file_t')
    for (let w = 0; w < 6; w++) specs.push({ path: `${diff}/etc/${WORDS[(l + w) % WORDS.length]}.conf`, type: 'char', size: 0, mode: 0o000, label: 'container_ro_file_t', major: 0, minor: 0 })
    if (l === 0) {
      dir(`${diff}/run`, 'container_ro_file_t')
      specs.push({ path: `${diff}/run/initctl`, type: 'fifo', size: 0, mode: 0o600, label: 'container_ro_file_t' })
    }
  }
  // Large files: ~55% of the bytes (locale archive, LLVM, rpmdb, image layer blobs).
  const largeCount = Math.max(8, Math.round((shape.bytes / 1e9) * 20))
  const largeBudget = shape.bytes * 0.55
  const largeNames = ['usr/lib/locale/locale-archive', 'usr/lib64/libLLVM.so.17', 'var/lib/rpm/rpmdb.sqlite', 'usr/lib64/libicudata.so.74', 'usr/share/fonts/noto/NotoSansCJK.ttc']
  const weights = Array.from({ length: largeCount }, () => 0.3 + rand())
  const weightSum = weights.reduce((a, b) => a + b, 0)
  for (let i = 0; i < largeCount; i++) {
    const name = i < largeNames.length ? largeNames[i]! : `usr/lib/containers/storage/overlay/${((i % layers) * 104729).toString(16).padStart(12, '0')}/diff/usr/lib/blob-${i}.bin`
    file(`/${name}`, Math.round((largeBudget * weights[i]!) / weightSum), 'usr_t')
  }
  // /etc and /var of an OS: QM's host stages copy both again (to /etc/qm and /var/qm).
  for (let i = 0; i < 400; i++) file(`/etc/${WORDS[i % WORDS.length]}/conf-${i}.conf`, 200 + Math.floor(rand() * 3000), 'etc_t')
  for (let i = 0; i < 120; i++) file(`/var/lib/${WORDS[i % WORDS.length]}/state-${i}`, Math.floor(rand() * 8000), 'var_lib_t')

  const fixed = specs.length
  const bulkEntries = shape.entries - fixed
  const smallBudget = shape.bytes - specs.reduce((n, s) => n + s.size, 0)
  const bulk: Spec[] = []
  const roots = ['/usr/share/doc', '/usr/share/man', '/usr/share/locale', '/usr/lib64', '/usr/lib/python3.12', '/usr/share/icons', '/usr/lib64/gconv', '/usr/share/zoneinfo']
  let d = 0
  while (bulk.length < bulkEntries) {
    const root = roots[d % roots.length]!
    const sub = `${root}/${WORDS[Math.floor(rand() * WORDS.length)]}-${d.toString(36)}`
    const before = specs.length
    dir(sub, 'usr_t')
    bulk.push(...specs.splice(before))
    const n = 6 + Math.floor(rand() * 14)
    for (let i = 0; i < n; i++) {
      const r = rand()
      const path = `${sub}/f${i.toString().padStart(3, '0')}-${WORDS[(d + i) % WORDS.length]}`
      if (r < 0.09) bulk.push({ path: `${path}.so`, type: 'symlink', size: 0, mode: 0o777, label: 'usr_t', target: `f000-${WORDS[d % WORDS.length]}` })
      else if (r < 0.1 && i > 0) bulk.push({ path: `${sub}/zz-hardlink-${i}`, type: 'hardlink', size: 0, mode: 0o644, label: 'usr_t', target: `${sub}/f000-${WORDS[d % WORDS.length]}`.slice(1) })
      else bulk.push({ path, type: 'file', size: Math.min(2_000_000, Math.round(Math.exp(8 + 1.6 * gauss(rand)))), mode: r < 0.2 ? 0o755 : 0o644, label: 'usr_t' })
    }
    d++
  }
  bulk.length = Math.min(bulk.length, bulkEntries)
  const files = bulk.filter((s) => s.type === 'file')
  const sum = files.reduce((n, s) => n + s.size, 0)
  for (const s of files) s.size = Math.round((s.size * smallBudget) / sum)
  specs.push(...bulk)
  const valid = validateLinks(specs)
  valid.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return valid
}

function writeSpecs(path: string, specs: Spec[]): { members: number; bytes: number } {
  const pool = contentPool()
  const fd = openSync(path, 'w')
  const out = new Out(fd)
  try {
    let i = 0
    for (const spec of specs) {
      const name = spec.path === '/' ? './' : `.${spec.path}${spec.type === 'dir' ? '/' : ''}`
      const linkname = spec.type === 'hardlink' ? `./${spec.target}` : spec.target ?? ''
      const records =
        paxRecord('mtime', '1700000000.123456789') +
        paxRecord('atime', '1700000000.5') +
        paxRecord('ctime', '1700000000.5') +
        (Buffer.byteLength(name) > 99 ? paxRecord('path', name) : '') +
        (Buffer.byteLength(linkname) > 99 ? paxRecord('linkpath', linkname) : '') +
        paxRecord('SCHILY.xattr.security.selinux', `system_u:object_r:${spec.label}:s0\u0000`)
      const pax = Buffer.from(records, 'utf8')
      ustarHeader(out.reserve(512), `./PaxHeaders/${spec.path.slice(spec.path.lastIndexOf('/') + 1)}`.slice(0, 99), { type: 'x', size: pax.length, mode: 0o644, linkname: '' })
      const padded = Math.ceil(pax.length / 512) * 512
      const paxBlock = out.reserve(padded)
      paxBlock.fill(0)
      pax.copy(paxBlock)
      const size = spec.type === 'file' ? spec.size : 0
      ustarHeader(out.reserve(512), name.slice(0, 99), { type: TYPEFLAG[spec.type], size, mode: spec.mode, linkname: linkname.slice(0, 99), ...(spec.type === 'char' ? { major: spec.major!, minor: spec.minor! } : {}) })
      if (spec.text !== undefined) {
        const data = Buffer.from(spec.text)
        const block = out.reserve(Math.ceil(data.length / 512) * 512)
        block.fill(0)
        data.copy(block)
      } else if (size > 0) out.content(pool, i * 7_919 * 512, size)
      i++
    }
    // End of archive, then padding to GNU tar's 10 KiB record.
    out.reserve(1024).fill(0)
    const pad = (10240 - (out.written % 10240)) % 10240
    if (pad) out.reserve(pad).fill(0)
    out.flush()
  } finally {
    closeSync(fd)
  }
  return { members: specs.length, bytes: out.written }
}
