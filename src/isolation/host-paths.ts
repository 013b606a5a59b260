// Every host path that reaches QM as a bind mount, read the way Quadlet, systemd and podman will read it, then
// classified by one table. Used for container.volumes, nested volumes and raw keys, the BlueChi socket, Quadlet
// files placed through content, and by inspect for the drop-ins it finds.
//
// How the source of `Volume=SOURCE:DEST[:OPTIONS]` is read (podman pkg/systemd/quadlet/quadlet.go
// handleStorageSource/getAbsolutePath; systemd.service(5) "Command lines"; podman-run(1) --volume):
//   1. Quadlet splits on ':' into at most three parts; one part is an anonymous volume (no host path).
//   2. A source starting with '.' is joined to the directory of the unit file (the main unit's, for drop-ins).
//   3. systemd expands %-specifiers and ${VAR} (from the unit's Environment=; unknown variables become empty)
//      in the ExecStart Quadlet writes.
//   4. podman: a source starting with '/' or '.' is a host path; anything else is a named volume.
//   5. The kernel resolves '..' after following symlinks, so known host symlinks (/var/run -> /run, usrmerge,
//      OSTree's /home -> /var/home ...) are followed while walking the path, as realpath does.

import { readTable, verdictOf, words, type Verdict } from './table.ts'
import { own } from '../own.ts'

/** Where a relative source resolves and which ${VAR}s the unit defines. */
export interface PathContext {
  /** 'qm': the host's paths reaching QM; 'nested': QM's paths reaching a nested container */
  scope?: 'qm' | 'nested'
  /** directory of the (main) unit file: Quadlet joins relative sources to it */
  unitDir: string
  /** Environment= of the unit, for ${VAR}; undefined means not known (a ${VAR} cannot be resolved) */
  env?: Readonly<Record<string, string>>
}

export type Source =
  | { kind: 'none' }
  | { kind: 'host'; path: string }
  | { kind: 'named'; name: string }
  /** a specifier or variable qm-stage cannot resolve, or a relative form it cannot place */
  | { kind: 'unresolved'; why: string }

/** systemd specifiers for a system service (systemd.unit(5) "Specifiers"); the ones naming paths resolve. */
const PATH_SPECIFIERS: Readonly<Record<string, string>> = {
  E: '/etc', S: '/var/lib', C: '/var/cache', L: '/var/log', t: '/run', T: '/tmp', V: '/var/tmp', h: '/root',
  s: '/bin/sh', y: '/run/systemd/generator', Y: '/run/systemd/generator', d: '/run/credentials',
}
/** Specifiers that expand to one file-name component (names, ids, versions): never '/', '.' or '..'. */
const WORD_SPECIFIERS = new Set('aAbBgGHlmMnNopPqRuUvwW'.split(''))

/** systemd's expansion of %-specifiers and ${VAR} / $VAR, or why it cannot be done here. */
export function expandUnitValue(value: string, env: PathContext['env']): { value: string } | { why: string } {
  let out = ''
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!
    if (c === '%') {
      const s = value[++i]
      if (s === '%') out += '%'
      else if (s !== undefined && Object.hasOwn(PATH_SPECIFIERS, s)) out += PATH_SPECIFIERS[s]
      else if (s !== undefined && WORD_SPECIFIERS.has(s)) out += `@${s}`
      else return { why: `the specifier %${s ?? ''} can name any path` }
    } else if (c === '$') {
      if (value[i + 1] === '$') {
        out += '$'
        i++
        continue
      }
      const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(value.slice(i))
      if (!m) {
        out += c
        continue
      }
      if (m[2] !== undefined) return { why: `$${m[2]} is expanded only as a whole word, and split on blanks` }
      if (env === undefined) return { why: `\${${m[1]}} is expanded by systemd from an environment qm-stage cannot see` }
      out += own(env, m[1]!) ?? '' // systemd expands an unset variable to nothing
      i += m[0].length - 1
    } else out += c
  }
  return { value: out }
}

/**
 * Symlinks of a Fedora/CentOS host and of an OSTree/bootc deployment, followed as the kernel does. Only the
 * union matters: the table classifies the canonical side, and both spellings reach it.
 */
const HOST_SYMLINKS: Readonly<Record<string, string>> = {
  '/bin': '/usr/bin', '/sbin': '/usr/sbin', '/lib': '/usr/lib', '/lib64': '/usr/lib64', '/usr/sbin': '/usr/bin',
  '/var/run': '/run', '/var/lock': '/run/lock',
  '/home': '/var/home', '/root': '/var/roothome', '/opt': '/var/opt', '/srv': '/var/srv', '/mnt': '/var/mnt',
  '/media': '/run/media', '/usr/local': '/var/usrlocal', '/ostree': '/sysroot/ostree',
  '/dev/fd': '/proc/self/fd', '/dev/stdin': '/proc/self/fd/0', '/dev/stdout': '/proc/self/fd/1', '/dev/stderr': '/proc/self/fd/2',
  '/dev/core': '/proc/kcore',
}

/** An absolute path with '.', '..', repeated and trailing slashes resolved, known host symlinks followed. */
export function canonicalHostPath(path: string): string {
  const parts: string[] = []
  const pending = path.split('/')
  let hops = 0
  while (pending.length > 0) {
    const part = pending.shift()!
    if (part === '' || part === '.') continue
    if (part === '..') {
      parts.pop()
      continue
    }
    parts.push(part)
    const here = `/${parts.join('/')}`
    const target = HOST_SYMLINKS[here]
    if (target !== undefined && hops++ < 40) {
      parts.length = 0
      pending.unshift(...target.split('/'))
    }
  }
  return `/${parts.join('/')}`
}

const NAMED_VOLUME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

/** The host side of a bind-mount source as podman will use it. */
export function readSource(raw: string, ctx: PathContext): Source {
  if (raw === '') return { kind: 'none' }
  // Quadlet joins a source starting with '.' to the unit's directory before systemd sees it (not one starting with %)
  const joined = raw.startsWith('.') ? `${ctx.unitDir}/${raw}` : raw
  const expanded = expandUnitValue(joined, ctx.env)
  if ('why' in expanded) return { kind: 'unresolved', why: expanded.why }
  const value = expanded.value
  if (value.startsWith('/')) return { kind: 'host', path: canonicalHostPath(value) }
  // podman reads './x' itself relative to its working directory, which Quadlet leaves unset (/)
  if (value.startsWith('.')) return { kind: 'host', path: canonicalHostPath(`/${value}`) }
  if (NAMED_VOLUME.test(value)) return { kind: 'named', name: value }
  return { kind: 'unresolved', why: `${value} is neither a host path nor a valid volume name` }
}

export interface VolumeSpec {
  source: string
  destination: string
  options: string[]
}

/** `SOURCE:DEST[:OPTIONS]` split as Quadlet does (at most three parts); one part is a destination only. */
export function splitVolume(spec: string): VolumeSpec {
  const parts = spec.split(':')
  if (parts.length === 1) return { source: '', destination: parts[0]!, options: [] }
  return { source: parts[0]!, destination: parts[1]!, options: parts.slice(2).join(':').split(',').filter(Boolean) }
}


export interface PathClass {
  /** canonical host path; `tree` covers everything below it too */
  path: string
  match: 'exact' | 'tree' | 'below'
  verdict: Verdict
  /** a short name for the class (README, messages) */
  name: string
  why: string
  /** a different verdict for QM's own paths reaching a nested container */
  nested?: { verdict: Verdict; why: string }
}

/**
 * The host path policy. The most specific row wins (longest path; 'exact' before 'below' before 'tree' at the
 * same path). Paths are canonical: /root is /var/roothome, /home is /var/home, /opt is /var/opt, /var/run is /run.
 */
const HOST_PATH_TABLE = `
refuse | exact | the root | / | the host's whole filesystem
refuse | exact | a top-level data tree | /var /var/srv /var/mnt | holds the data and mounts of every host service at once
refuse | tree | kernel interface | /proc /sys /dev
    | kernel and hardware control outside the namespaces podman gives QM (podman mounts its own /proc, /sys and /dev)
refuse | tree | boot and deployments | /boot /efi /sysroot
    | the kernels, boot loader and OSTree/bootc deployments the host boots: write access replaces the next boot
refuse | tree | host identity | /var/roothome /var/home | users' homes, root's included: SSH keys, credentials, shell start-up files
refuse | tree | host configuration | /etc
    | the host's configuration: accounts and secrets, units, the container and SELinux policy that confine QM
refuse | tree | host identity | /etc/shadow /etc/gshadow /etc/shadow- /etc/gshadow- /etc/passwd /etc/group /etc/sudoers
    /etc/sudoers.d /etc/security /etc/pki /etc/ssh /etc/machine-id | the host's accounts, password hashes, keys and identity
refuse | tree | host configuration | /etc/systemd /etc/containers /etc/selinux /etc/ostree /etc/qm-stage
    | the services, Quadlets (qm.container.d included) and policy that start and confine QM
refuse | tree | host programs | /usr | programs, libraries and vendor units the host runs (writable on a package-mode host)
refuse | tree | kernel modules | /usr/lib/modules /usr/lib/ostree-boot /usr/lib/firmware | kernel modules and firmware the host loads
refuse | tree | host configuration | /usr/share/containers/systemd /usr/lib/systemd /usr/share/qm
    | qm.container, its drop-ins, QM's seccomp profile and the units that start QM
refuse | tree | host programs | /var/usrlocal /var/opt | locally installed programs the host runs (/usr/local, /opt)
refuse | tree | host state | /var/lib /var/log /var/cache /var/spool /var/db /var/mail
    | state, logs and queues of host services (the journal, host container storage, the SELinux store)
refuse | tree | host state | /var/lib/containers /run/containers /var/lib/selinux /var/lib/systemd /var/log/journal
    | host container storage, the SELinux store, systemd state and the journal
refuse | tree | shared scratch | /tmp /var/tmp | the host's temporary directories, shared with every host service (symlink and socket races)
refuse | tree | runtime state | /run | runtime state and control sockets of host services (systemd, D-Bus, podman, udev, journald)
refuse | tree | control socket | /run/systemd /run/dbus /run/podman /run/udev /run/user /run/docker.sock /run/log /run/lock /run/media
    | a control socket or runtime state of a host service: talking to it controls the host
allow  | tree | BlueChi runtime | /run/bluechi | BlueChi's runtime directory: the controller socket QM's agent talks to (upstream's recipe)
allow  | tree | QM IPC | /run/ipc | host-QM IPC sockets, labelled ipc_var_run_t by the qm policy for this purpose
allow  | exact | QM's own tree | /etc/qm /var/qm /var/qm/tmp /usr/lib/qm/rootfs | QM's own trees, which qm.container already mounts
refuse | below | QM-writable | /etc/qm /var/qm /usr/lib/qm
    | QM can write there, so it can replace a directory on the way with a symlink to any host path, which podman follows at the next start
`

const MATCHES: readonly PathClass['match'][] = ['exact', 'tree', 'below']

export const HOST_PATH_POLICY: readonly PathClass[] = readTable(['verdict', 'match', 'name', 'paths', 'why'], HOST_PATH_TABLE).flatMap((r) => {
  const match = MATCHES.find((m) => m === r.match)
  if (!match) throw new Error(`host path table: the match is exact, tree or below, not ${r.match}`)
  const verdict = verdictOf(r.verdict)
  return words(r.paths).map((path): PathClass => ({ path, match, verdict, name: r.name, why: r.why }))
})

/**
 * QM's own service state, runtime and scratch directories may reach a nested container (a service's socket in
 * QM's /run, its data in /var/lib/NAME); the rows naming control sockets, container storage and configuration
 * stay refused.
 */
const NESTED_ALLOWED = new Set(['/run', '/var/lib', '/var/log', '/var/cache', '/var/spool', '/tmp', '/var/tmp'])
for (const r of HOST_PATH_POLICY) {
  if (NESTED_ALLOWED.has(r.path)) r.nested = { verdict: 'allow', why: "QM's own state, runtime or scratch directory, shared with a service inside QM" }
}

/** The class a canonical host path falls in; paths no row names are the host's own data directories. */
export function classifyHostPath(path: string, scope: PathContext['scope'] = 'qm'): PathClass {
  let best: PathClass | undefined
  const rank = { exact: 2, below: 1, tree: 0 }
  for (const c of HOST_PATH_POLICY) {
    const hit =
      c.match === 'exact' ? path === c.path : c.match === 'below' ? path.startsWith(`${c.path}/`) : path === c.path || path.startsWith(c.path === '/' ? '/' : `${c.path}/`)
    if (!hit) continue
    if (!best || c.path.length > best.path.length || (c.path.length === best.path.length && rank[c.match] > rank[best.match])) best = c
  }
  if (best?.nested && scope === 'nested') return { ...best, ...best.nested }
  return best ?? { path, match: 'exact', verdict: 'allow', name: 'host data', why: 'a host directory of its own, outside every system tree' }
}

/** Why a bind-mount source must not reach QM (or a nested container), or undefined when it may. */
export function hostPathProblem(raw: string, ctx: PathContext): string | undefined {
  const source = readSource(raw, ctx)
  if (source.kind === 'unresolved') return `qm-stage cannot tell which host path this is: ${source.why}`
  if (source.kind !== 'host') return undefined
  const c = classifyHostPath(source.path, ctx.scope)
  if (c.verdict === 'allow') return undefined
  const as = source.path === raw ? '' : ` (podman reads ${raw} as ${source.path})`
  return `${c.name}${as}: ${c.why}`
}
