// A seeded generator of random valid qm.yaml configs, for the property test. Our own rather
// than fast-check: valid configs need cross-field rules (embedded images, OOM order, unique
// names and paths) that are simplest to respect while building; a seed reproduces any case.

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function random(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1))
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!
  const chance = (p: number) => next() < p
  const some = <T>(max: number, make: (i: number) => T): T[] => Array.from({ length: int(0, max) }, (_, i) => make(i))
  const word = (n = int(3, 8)) => Array.from({ length: n }, () => pick('abcdefghijklmnopqrstuvwxyz'.split(''))).join('')
  const hex = (n: number) => Array.from({ length: n }, () => pick('0123456789abcdef'.split(''))).join('')
  return { next, int, pick, chance, some, word, hex }
}

/** Values that must survive every file format they reach: blanks, quotes, backslashes, non-ASCII. */
const AWKWARD = ['hello world', 'say "hi"', "it's", 'back\\slash', 'tab\tinside', 'grüße', 'a=b=c', '$HOME', 'x y  z']

export function randomConfig(seed: number): Record<string, unknown> {
  const r = random(seed)
  const config: Record<string, unknown> = {}
  const allow: Record<string, string> = {}
  const value = () => (r.chance(0.5) ? r.pick(AWKWARD) : r.word())
  if (r.chance(0.3)) config.policy = r.pick(['targeted', 'automotive', 'mls'])
  if (r.chance(0.3)) config.node = `${r.word()}-${r.int(1, 9)}`
  if (r.chance(0.2)) config.mode = 'package'
  if (r.chance(0.2)) config.pipeline = `qm_${r.word()}`
  if (r.chance(0.5)) config.memory_limit = { max: r.pick(['infinity', '4G', '512M', '50%', '2048K']), high: r.pick(['infinity', '3G', '40%']) }
  if (r.chance(0.5)) config.cpu_weight = r.chance(0.3) ? 'idle' : r.int(1, 10000)
  if (r.chance(0.3)) config.io_weight = r.int(1, 10000)
  if (r.chance(0.3)) config.tasks_max = r.pick([r.int(1, 100000), '50%', 'infinity', '25.5%'])
  if (r.chance(0.2)) config.allowed_cpus = r.pick(['0', '0-3', '1,3-5', '2-3,6'])
  if (r.chance(0.2)) config.cpu_quota = `${r.int(1, 400)}%`
  const qmScore = r.chance(0.5) ? r.int(1, 700) : 500
  if (qmScore !== 500) config.oom_score_adjust = qmScore
  if (r.chance(0.3)) config.host_oom_score_adjust = r.int(-1000, 0)

  const container: Record<string, unknown> = {}
  if (r.chance(0.4)) container.volumes = r.some(3, (i) => r.pick([`/run/ipc/app${i}:/run/ipc/app${i}`, `data${i}:/var/data${i}:Z`, `/srv/app${i}:/app${i}:ro`]))
  if (r.chance(0.3)) container.devices = r.some(2, (i) => r.pick(['-/dev/kvm', `/dev/video${i}`, '/dev/net/tun', `/dev/snd/pcmC0D${i}p:/dev/snd/pcm${i}:rw`]))
  if (r.chance(0.4)) container.annotations = Object.fromEntries(r.some(3, () => [`org.example.${r.word()}`, value()]))
  if (r.chance(0.4)) container.environment = Object.fromEntries(r.some(3, () => [r.word().toUpperCase(), value()]))
  if (r.chance(0.3)) container.sysctl = Object.fromEntries(r.some(2, (i) => [r.pick(['net.ipv4.ping_group_range', 'net.core.somaxconn', 'fs.mqueue.msg_max']) + (i ? `_${i}` : ''), r.pick(['0 2000', '1024', '10'])]))
  if (r.chance(0.3)) container.drop_capabilities = [...new Set(r.some(3, () => r.pick(['net_raw', 'mknod', 'audit_write', 'sys_ptrace'])))]
  if (r.chance(0.2)) container.timezone = r.pick(['local', 'Europe/Berlin', 'UTC'])
  if (r.chance(0.15)) {
    container.network = 'host'
    allow['network.host'] = 'this case shares the host network on purpose'
  }
  if (r.chance(0.15)) {
    container.seccomp_profile = 'default'
    allow['seccomp.default'] = 'this case needs realtime scheduling'
  }
  if (Object.keys(container).length) config.container = container

  if (r.chance(0.4)) {
    const cc: Record<string, unknown> = { oom_score_adj: r.int(qmScore, 1000) }
    if (r.chance(0.5)) cc.env = [`TMPDIR=/var/tmp/${r.word()}`]
    if (r.chance(0.5)) cc.default_ulimits = [`nofile=${r.int(1, 9999)}:${r.int(10000, 99999)}`]
    config.containers_conf = cc
  }

  const images = r.some(2, (i) => ({
    source: `quay.io/${r.word()}/${r.word()}`,
    name: `localhost/app${i}:${r.pick(['latest', 'v1', '1.0'])}`,
    ...(r.chance(0.6) ? { digest: `sha256:${r.hex(64)}`, image_id: `sha256:${r.hex(64)}` } : {}),
  }))
  if (images.length) config.container_images = images
  const nested = r.some(3, (i) => {
    const embedded = images.length > 0 && r.chance(0.6)
    const n: Record<string, unknown> = { name: `app${i}-${r.word()}`, image: embedded ? r.pick(images).name : `quay.io/x/${r.word()}` }
    if (!embedded) n.pull = r.pick(['missing', 'always', 'newer'])
    if (r.chance(0.5)) n.exec = r.pick(['/usr/bin/app --serve', `/bin/sh -c "echo ${r.word()}"`, 'sleep infinity'])
    if (r.chance(0.5)) n.oom_score_adjust = r.int(qmScore, 1000)
    if (r.chance(0.5)) n.environment = Object.fromEntries(r.some(3, () => [r.word().toUpperCase(), value()]))
    if (r.chance(0.4)) n.volumes = [`/var/lib/${r.word()}:/data:Z`]
    if (r.chance(0.3)) n.enabled = false
    if (r.chance(0.3)) n.unit = { Description: `App ${r.word()} of QM` }
    if (r.chance(0.3)) n.service = { Restart: r.pick(['always', 'on-failure']) }
    return n
  })
  if (nested.length) config.nested = nested

  // the OS: resolved packages (the default), a tarball, or pinned rpms
  if (r.chance(0.3)) config.rootfs = { tarball: { url: `https://images.example/${r.word()}.tar`, sha256: r.hex(64) } }
  else if (r.chance(0.2)) config.rootfs = { rpms: r.some(3, () => ({ url: `https://m.example/${r.word()}.rpm`, sha256: r.hex(64) })).concat([{ url: 'https://m.example/podman.rpm', sha256: r.hex(64) }]) }
  const content: Record<string, unknown> = {}
  if (!config.rootfs && r.chance(0.3)) content.rpms = r.some(2, () => r.word())
  const dir = r.word()
  if (r.chance(0.5)) content.add_files = r.some(3, (i) => ({ path: `/etc/${dir}/f${i}.conf`, text: `${value()}\n` }))
  if (r.chance(0.4)) content.make_dirs = [{ path: `/var/lib/${dir}`, mode: r.pick([0o700, 0o750, 0o755]), parents: true, exist_ok: true }]
  if (r.chance(0.3)) content.add_symlinks = [{ link: `/etc/${dir}-current`, target: `${dir}/f0.conf` }]
  if (r.chance(0.2)) content.systemd = { masked_services: [`${r.word()}.service`] }
  if (Object.keys(content).length) config.content = content

  if (r.chance(0.5)) {
    const b: Record<string, unknown> = { enabled: r.chance(0.8) }
    if (r.chance(0.3)) b.controller = { host: `10.0.${r.int(0, 255)}.${r.int(1, 254)}`, port: r.int(1, 65535) }
    if (r.chance(0.3)) b.agent = { LogLevel: r.pick(['INFO', 'DEBUG']), HeartbeatInterval: r.int(100, 10000) }
    if (r.chance(0.3)) b.node_name = `qm.${r.word()}`
    config.bluechi = b
  }
  if (Object.keys(allow).length) config.allow_unsafe = allow
  return config
}
