// Issue 9, class F: inspect sees what it is given. Each case is an image tree qm-stage rendered (on the tiny
// OS, as the rpm-installed host carries it), changed one way and written as a tar, a tar.gz or a directory,
// generated at test time like the rest of this corpus. Three sub-classes:
//   dirs        members without directory entries (`tar -cf x.tar path/to/file`), spelt and ordered every way
//   unreadable  what cannot be read is a finding: permissions, directories that cannot be listed, archives
//               cut short, dangling and looping links, sparse and oversized members, hard links out of the tree
//   quoted      values Quadlet unquotes (per release) and systemd does not, booleans in every spelling
// A case's `check` asserts on the JSON report; `text` names what the text report must say too.

import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { readTree } from '../../../../src/archive/read-tree.ts'
import type { Entry as TreeEntry } from '../../../../src/archive/types.ts'
import type { Report } from '../../../../src/inspect/report.ts'
import { QM } from '../../../../src/qm/paths.ts'
import { treeToTar, writeTreeToDir } from '../../../../src/tree/export.ts'
import type { Tree } from '../../../../src/tree/vtree.ts'
import { asInstalledByRpm, put } from '../../../_helpers/image.ts'
import { built, tinySeed, TINY_ROOTFS } from '../../../_helpers/render.ts'
import { concat, END, header, member, pad } from '../../../archive/_helpers/tar.ts'
import { withScratch } from '../../../_helpers/scratch.ts'

export type SubClass = 'dirs' | 'unreadable' | 'quoted'

export interface Made {
  /** the input to inspect: a file or a directory */
  path: string
  /** read it through standard input instead */
  stdin?: Uint8Array
  /** run inspect as this uid (a permission case when the tests run as root) */
  uid?: number
}

export interface ClassFCase {
  name: string
  sub: SubClass
  /** extra inspect arguments (--podman X) */
  args?: string[]
  make(work: string): Promise<Made>
  check(r: Report, reference: Report): void
  /** words the text report must hold as well */
  text?: RegExp
}

const D = QM.dropinDir
const NESTED = `${QM.etc}/containers/systemd`
const enc = new TextEncoder()

/** One stored member: entry and content. */
export interface Member {
  e: TreeEntry
  body?: Uint8Array
}

const file = (path: string, text: string | Uint8Array): Member => {
  const body = typeof text === 'string' ? enc.encode(text) : text
  return { e: { path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: body.length }, body }
}
const symlink = (path: string, target: string): Member => ({ e: { path, type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, target } })

/** The base image: what qm-stage renders for a small config, plus a nested Quadlet, as members in tar order. */
export async function baseImage(): Promise<{ tree: () => Promise<Tree>; members: Member[] }> {
  const tree = async () => {
    const { host } = built(`rootfs: { tarball: { source_path: ${TINY_ROOTFS} } }\nmemory_limit: { max: 4G }\nnested: [{ name: radio, image: 'quay.io/x/radio:1', pull: missing }]\n`, { seed: await tinySeed() })
    asInstalledByRpm(host)
    put(host, `${D}/90-site.conf`, '[Service]\nTasksMax=4000\n')
    return host
  }
  return withScratch('class-f-base', async (dir) => {
    const tar = join(dir, 'base.tar')
    writeFileSync(tar, await treeToTar(await tree()))
    const index = await readTree(tar, { interest: () => 'body' })
    const members = [...index.entries.values()].filter((e) => e.path !== '/').map((e) => ({ e, ...(index.bodies.has(e.path) ? { body: index.bodies.get(e.path)! } : {}) }))
    return { tree, members }
  })
}

interface Layout {
  /** keep this directory's member (default: every one) */
  keepDir?: (e: TreeEntry) => boolean
  /** the stored name of a member (default: relative) */
  spell?: (path: string, i: number) => string
  /** directories after everything else, deepest first */
  dirsLast?: boolean
  /** replace or add members (by path), after the base */
  change?: Member[]
  /** leave out these paths */
  drop?: string[]
  /** bytes after the last member instead of the end-of-archive blocks */
  tail?: Uint8Array
  /** cut the archive to this many bytes before the end of the named member's content */
  cutInside?: { path: string; keep: number }
  gzip?: boolean
}

/** The base members laid out as a tar (or tar.gz): bytes. */
export function layout(base: Member[], l: Layout = {}): Uint8Array {
  const changed = new Map((l.change ?? []).map((m) => [m.e.path, m]))
  const drop = new Set(l.drop ?? [])
  let members = base.filter((m) => !drop.has(m.e.path)).map((m) => changed.get(m.e.path) ?? m)
  const known = new Set(members.map((m) => m.e.path))
  members.push(...[...changed.values()].filter((m) => !known.has(m.e.path)))
  const keepDir = l.keepDir ?? (() => true)
  const files = members.filter((m) => m.e.type !== 'dir')
  const dirs = members.filter((m) => m.e.type === 'dir' && keepDir(m.e))
  members = l.dirsLast ? [...files, ...dirs.reverse()] : members.filter((m) => m.e.type !== 'dir' || keepDir(m.e))
  const spell = l.spell ?? ((p: string) => p.slice(1))
  const parts: Uint8Array[] = []
  let cutAt: number | undefined
  let length = 0
  members.forEach((m, i) => {
    const bytes = member(m.e, spell(m.e.path, i) + (m.e.type === 'dir' ? '/' : ''), m.body)
    const size = bytes.reduce((n, b) => n + b.length, 0)
    if (l.cutInside && l.cutInside.path === m.e.path) cutAt = length + size - pad(m.body ?? new Uint8Array()).length + l.cutInside.keep
    parts.push(...bytes)
    length += size
  })
  let tar = concat([...parts, l.tail ?? END])
  if (cutAt !== undefined) tar = tar.subarray(0, cutAt)
  return l.gzip ? gzipSync(tar) : tar
}

const ids = (r: Report) => r.findings.map((f) => f.id)
const withId = (r: Report, id: string) => r.findings.filter((f) => f.id === id)
/** The report without what names the input, the implied-directory notice, and modes (implied ones are 0755). */
export function comparable(r: Report) {
  const { input: _input, findings, placement, ...rest } = r
  const noMode = (s: Report['placement']['rootfs']) => ({ ...s, mode: undefined })
  return {
    ...rest,
    placement: { ...placement, rootfs: noMode(placement.rootfs), etc: noMode(placement.etc), var: noMode(placement.var), varTmp: noMode(placement.varTmp) },
    findings: findings.filter((f) => f.id !== 'archive.implied_dirs'),
  }
}

function assertThat(ok: boolean, what: string, r: Report): void {
  if (!ok) throw new Error(`${what}\nfindings: ${JSON.stringify(r.findings.map((f) => `${f.id}: ${f.message} (${f.file ?? ''})`), null, 1)}`)
}
const has = (r: Report, id: string, about?: RegExp, file?: string) =>
  assertThat(withId(r, id).some((f) => (!about || about.test(f.message)) && (!file || f.file === file)), `expected ${id}${about ? ` matching ${about}` : ''}${file ? ` for ${file}` : ''}`, r)
const lacks = (r: Report, id: string) => assertThat(!ids(r).includes(id), `expected no ${id}`, r)
const same = (r: Report, reference: Report, what: string) => assertThat(JSON.stringify(comparable(r)) === JSON.stringify(comparable(reference)), `${what}: the report differs from the full tar's`, r)

/** Every class F case, over the base image. */
export function classFCases(base: { tree: () => Promise<Tree>; members: Member[] }): ClassFCase[] {
  const m = base.members
  const tarCase = (name: string, sub: SubClass, l: Layout, check: ClassFCase['check'], extra: Partial<ClassFCase> = {}): ClassFCase => ({
    name,
    sub,
    make: async (work) => {
      const path = join(work, `${name}.tar${l.gzip ? '.gz' : ''}`)
      writeFileSync(path, layout(m, l))
      return { path }
    },
    check,
    ...extra,
  })
  /** The base written as a directory, changed on disk. */
  const dirCase = (name: string, sub: SubClass, change: (root: string) => void, check: ClassFCase['check'], extra: Partial<ClassFCase> & { permission?: true } = {}): ClassFCase => ({
    name,
    sub,
    make: async (work) => {
      const root = join(work, name)
      writeTreeToDir(await base.tree(), root)
      open(work)
      change(root)
      // a permission only holds for a process that is not root
      return { path: root, ...(extra.permission ? { uid: 65534 } : {}) }
    },
    check,
    ...extra,
  })
  const noDirs = () => false
  const dropin = (name: string, text: string | Uint8Array) => file(`${D}/${name}`, text)
  const implied = (r: Report) => has(r, 'archive.implied_dirs', /directories have no member of their own/)
  const qmContainer = m.find((x) => x.e.path === QM.quadlet)!

  return [
    // ---- dirs: the report of the full tar, whatever the archive leaves out ---------------------------------
    tarCase('9f-01-no-directory-members', 'dirs', { keepDir: noDirs }, (r, ref) => (same(r, ref, 'no directories'), implied(r))),
    tarCase('9f-02-dot-slash-names', 'dirs', { keepDir: noDirs, spell: (p) => `.${p}` }, (r, ref) => (same(r, ref, "'./' names"), implied(r))),
    tarCase('9f-03-mixed-spellings', 'dirs', { keepDir: noDirs, spell: (p, i) => ['', './', '/', './/'][i % 4] + p.slice(1) }, (r, ref) => (same(r, ref, 'mixed names'), implied(r))),
    tarCase('9f-04-some-parents', 'dirs', { keepDir: (e) => e.path.split('/').length % 2 === 1 }, (r, ref) => (same(r, ref, 'some parents'), implied(r))),
    tarCase('9f-05-dirs-after-contents', 'dirs', { dirsLast: true }, (r, ref) => (same(r, ref, 'directories last'), lacks(r, 'archive.implied_dirs'))),
    tarCase('9f-06-gzip-no-directories', 'dirs', { keepDir: noDirs, spell: (p) => `.${p}`, gzip: true }, (r, ref) => (same(r, ref, 'gzip'), implied(r))),
    {
      name: '9f-07-stdin-no-directories',
      sub: 'dirs',
      make: async () => ({ path: '-', stdin: layout(m, { keepDir: noDirs }) }),
      check: (r, ref) => (same(r, ref, 'standard input'), implied(r)),
    },
    tarCase('9f-08-only-the-dropin-directory-missing', 'dirs', { keepDir: (e) => e.path !== D }, (r, ref) => {
      same(r, ref, 'no qm.container.d member')
      assertThat(r.quadlet.dropins.includes(`${D}/90-site.conf`), 'the drop-ins are found', r)
    }),
    tarCase('9f-09-only-files-under-the-quadlet-trees', 'dirs', { keepDir: (e) => !e.path.includes('/containers/systemd') }, (r, ref) => {
      same(r, ref, 'no Quadlet directory members')
      assertThat(r.inside.nested.some((n) => n.name === 'radio'), 'the nested Quadlet is found', r)
    }),
    tarCase('9f-10-implied-directory-replaced-by-a-file', 'dirs', { keepDir: noDirs, drop: [D], change: [file(`${D}`, 'not a directory')] }, (r) => {
      has(r, 'read.problem', /directory implied by the names of earlier members is replaced by a later file/, D)
    }),

    // ---- unreadable: a finding naming what and why, never empty content -----------------------------------
    dirCase('9f-21-dropin-permission-denied', 'unreadable', (root) => chmodSync(join(root, D, '90-site.conf'), 0), (r) => {
      has(r, 'read.unreadable', /permission denied/, `${D}/90-site.conf`)
    }, { text: /read\.unreadable.*permission denied/, permission: true }),
    dirCase('9f-22-dropin-directory-not-listable', 'unreadable', (root) => chmodSync(join(root, D), 0), (r) => {
      has(r, 'read.unreadable', /cannot list the directory: .*permission denied/, D)
    }, { text: /read\.unreadable.*cannot list the directory/, permission: true }),
    dirCase('9f-23-qm-container-permission-denied', 'unreadable', (root) => chmodSync(join(root, QM.quadlet), 0), (r) => {
      has(r, 'read.unreadable', /permission denied/, QM.quadlet)
    }, { permission: true }),
    dirCase('9f-24-containers-conf-permission-denied', 'unreadable', (root) => chmodSync(join(root, QM.etc, 'containers/containers.conf'), 0), (r) => {
      has(r, 'read.unreadable', /permission denied/, `${QM.etc}/containers/containers.conf`)
    }, { permission: true }),
    dirCase('9f-25-nested-quadlet-dangling-link', 'unreadable', (root) => symlinkSync('../../missing/tuner.container', join(root, NESTED, 'tuner.container')), (r) => {
      has(r, 'read.unreadable', /dangling symbolic link: its target \/etc\/qm\/missing\/tuner.container is not in the tree/, `${NESTED}/tuner.container`)
    }),
    tarCase('9f-26-dropin-cut-by-the-end-of-the-archive', 'unreadable', { change: [dropin('99-last.conf', `[Service]\nMemoryHigh=1G\n${'# pad\n'.repeat(200)}`)], cutInside: { path: `${D}/99-last.conf`, keep: 700 } }, (r) => {
      has(r, 'read.unreadable', /the archive ends inside its content/, `${D}/99-last.conf`)
      has(r, 'read.truncated', /the archive is cut short: (member claims \d+ bytes but the archive has only 700 left|truncated archive)/)
      assertThat(r.quadlet.unit === QM.quadlet, 'what came before is reported', r)
    }, { text: /read\.truncated/ }),
    tarCase('9f-27-gzip-cut-inside-a-dropin', 'unreadable', { change: [dropin('99-last.conf', crypto.getRandomValues(new Uint8Array(60_000)))], cutInside: { path: `${D}/99-last.conf`, keep: 30_000 }, gzip: true }, (r) => {
      has(r, 'read.unreadable', /the archive ends inside its content/, `${D}/99-last.conf`)
      has(r, 'read.truncated', /truncated archive: the input ends inside member data/)
    }),
    tarCase('9f-28-cut-inside-a-header', 'unreadable', { tail: header({ name: 'usr/share/containers/systemd/qm.container.d/99-x.conf', size: 10 }).subarray(0, 200) }, (r) => {
      has(r, 'read.truncated', /a header is cut short|the input ends inside a header/)
      lacks(r, 'read.unreadable')
    }),
    tarCase('9f-29-dropin-dangling-link', 'unreadable', { change: [symlink(`${D}/50-gone.conf`, '/usr/share/qm/50-gone.conf')] }, (r) => {
      has(r, 'read.unreadable', /dangling symbolic link: its target \/usr\/share\/qm\/50-gone.conf is not in the tree/, `${D}/50-gone.conf`)
    }),
    tarCase('9f-30-qm-container-link-loop', 'unreadable', { change: [symlink(QM.quadlet, 'qm.container.real'), symlink(`${QM.quadlet}.real`, 'qm.container')] }, (r) => {
      has(r, 'read.unreadable', /too many levels of symbolic links/)
    }, { text: /read\.unreadable.*too many levels/ }),
    tarCase('9f-31-sparse-dropin', 'unreadable', { tail: concat([...sparseMember(`${D.slice(1)}/60-sparse.conf`), END]) }, (r) => {
      has(r, 'read.unreadable', /sparse file: its content is not read/, `${D}/60-sparse.conf`)
    }),
    tarCase('9f-32-dropin-over-the-size-limit', 'unreadable', { change: [dropin('70-huge.conf', `[Service]\nMemoryHigh=1G\n${'#'.repeat(4 * 1024 * 1024 + 10)}\n`)] }, (r) => {
      has(r, 'read.unreadable', /over the \d+-byte limit/, `${D}/70-huge.conf`)
    }),
    tarCase('9f-33-dropin-hard-link-out-of-the-tree', 'unreadable', { tail: concat([header({ name: `${D.slice(1)}/80-linked.conf`, type: '1', linkname: '../outside.conf' }), END]) }, (r) => {
      has(r, 'read.unreadable', /hard link/, `${D}/80-linked.conf`)
    }),
    tarCase('9f-34-qm-container-linked-to-a-directory-that-is-missing', 'unreadable', { change: [symlink(QM.quadlet, '../../../lib/qm/shipped/qm.container')] }, (r) => {
      has(r, 'read.unreadable', /dangling symbolic link/, QM.quadlet)
    }),
    tarCase('9f-35-bluechi-dropin-dangling-link', 'unreadable', { change: [symlink(`${QM.etc}/bluechi/agent.conf.d/50-site.conf`, '/usr/share/bluechi/gone.conf')] }, (r) => {
      has(r, 'read.unreadable', /dangling symbolic link: its target \/usr\/lib\/qm\/rootfs\/usr\/share\/bluechi\/gone.conf is not in the tree/, `${QM.etc}/bluechi/agent.conf.d/50-site.conf`)
    }),
    tarCase('9f-36-nested-volume-quadlet-dangling-link', 'unreadable', { change: [symlink(`${NESTED}/data.volume`, 'data.volume.real')] }, (r) => {
      has(r, 'read.unreadable', /dangling symbolic link/, `${NESTED}/data.volume`)
    }),
    tarCase('9f-37-containers-conf-dropin-link-loop', 'unreadable', { change: [symlink(`${QM.etc}/containers/containers.conf.d/50-loop.conf`, '50-loop.conf')] }, (r) => {
      has(r, 'read.unreadable', /too many levels of symbolic links/, `${QM.etc}/containers/containers.conf.d/50-loop.conf`)
    }),
    // the generator skips a unit file it cannot read, so the next directory's copy is loaded (podman 5.8.2, checked)
    tarCase('9f-38-unreadable-etc-qm-container-falls-back', 'unreadable', { change: [symlink('/etc/containers/systemd/qm.container', '/usr/share/qm/gone.container')] }, (r, ref) => {
      has(r, 'read.unreadable', /dangling symbolic link/, '/etc/containers/systemd/qm.container')
      assertThat(r.quadlet.unit === QM.quadlet && JSON.stringify(r.quadlet.settings) === JSON.stringify(ref.quadlet.settings), 'the /usr/share copy is the unit, as before', r)
    }),

    // ---- quoted: values as Quadlet (per release) and systemd read them -------------------------------------
    tarCase('9f-41-label-disable-quoted', 'quoted', { change: [dropin('91-q.conf', '[Container]\nSecurityLabelDisable="true"\n')] }, (r) => has(r, 'selinux.label_disable')),
    tarCase('9f-42-read-only-quoted-false', 'quoted', { change: [dropin('91-q.conf', '[Container]\nReadOnly="false"\n')] }, (r) => has(r, 'read_only.off', /ReadOnly="false"/)),
    tarCase('9f-43-label-disable-single-quotes', 'quoted', { change: [dropin('91-q.conf', "[Container]\nSecurityLabelDisable='yes'\n")] }, (r) => lacks(r, 'selinux.label_disable')),
    tarCase('9f-44-label-disable-on', 'quoted', { change: [dropin('91-q.conf', '[Container]\nSecurityLabelDisable=On\n')] }, (r) => has(r, 'selinux.label_disable')),
    tarCase('9f-45-label-disable-y-is-false', 'quoted', { change: [dropin('91-q.conf', '[Container]\nSecurityLabelDisable=y\n')] }, (r) => lacks(r, 'selinux.label_disable')),
    tarCase('9f-46-label-disable-quoted-podman-4.9', 'quoted', { change: [dropin('91-q.conf', '[Container]\nSecurityLabelDisable="true"\n')] }, (r) => lacks(r, 'selinux.label_disable'), { args: ['--podman', '4.9'] }),
    tarCase('9f-47-label-disable-doubled-quotes-podman-5.2', 'quoted', { change: [dropin('91-q.conf', '[Container]\nSecurityLabelDisable=""true""\n')] }, (r) => has(r, 'selinux.label_disable'), { args: ['--podman', '5.2'] }),
    tarCase('9f-48-label-disable-doubled-quotes-podman-5.8', 'quoted', { change: [dropin('91-q.conf', '[Container]\nSecurityLabelDisable=""true""\n')] }, (r) => lacks(r, 'selinux.label_disable')),
    tarCase('9f-49-read-only-garbage', 'quoted', { change: [dropin('91-q.conf', '[Container]\nReadOnly=nope\n')] }, (r) => has(r, 'read_only.off')),
    tarCase('9f-50-read-only-True', 'quoted', { change: [dropin('91-q.conf', '[Container]\nReadOnly=True\n')] }, (r) => lacks(r, 'read_only.off')),
    tarCase('9f-51-podman-args-quoted-word', 'quoted', { change: [dropin('91-q.conf', '[Container]\nPodmanArgs="--privileged"\n')] }, (r) => has(r, 'privileged')),
    tarCase('9f-52-add-capability-quoted-word', 'quoted', { change: [dropin('91-q.conf', "[Container]\nDropCapability=\nAddCapability='sys_boot'\n")] }, (r) => has(r, 'capability.sys_boot')),
    tarCase('9f-53-oom-score-quoted-is-ignored-by-systemd', 'quoted', { change: [dropin('91-q.conf', '[Service]\nOOMScoreAdjust="-900"\n')] }, (r) => lacks(r, 'oom.qm_not_positive')),
    tarCase('9f-54-memory-max-quoted-is-ignored-by-systemd', 'quoted', { change: [dropin('91-q.conf', '[Service]\nMemoryMax=\n'), dropin('92-q.conf', '[Service]\nMemoryMax="4G"\n')] }, (r) => has(r, 'memory.unlimited', /MemoryMax="4G" is not a size systemd reads/)),
    tarCase('9f-55-seccomp-profile-quoted-unconfined', 'quoted', { change: [dropin('91-q.conf', '[Container]\nSeccompProfile="unconfined"\n')] }, (r) => has(r, 'seccomp.unconfined')),
    tarCase('9f-56-nested-label-disable-quoted', 'quoted', { change: [file(`${NESTED}/tuner.container`, '[Container]\nImage=quay.io/x/tuner:1\nPull=missing\nSecurityLabelDisable="true"\n')] }, (r) => has(r, 'selinux.label_disable', /tuner/)),
    tarCase('9f-57-nested-pull-quoted-never', 'quoted', { change: [file(`${NESTED}/tuner.container`, '[Container]\nImage="quay.io/x/tuner:1"\nPull="never"\n')] }, (r) => {
      const tuner = r.inside.nested.find((n) => n.name === 'tuner')
      assertThat(tuner?.image?.value === 'quay.io/x/tuner:1' && tuner.pull === 'never', 'Image= and Pull= unquoted', r)
      has(r, 'nested.image_not_embedded', /Pull=never: it cannot start/)
    }),
    // list keys are not unquoted: Quadlet writes --network "\"host\"" (checked with 4.9.5 to 5.8.2), not host networking
    tarCase('9f-59-network-quoted-host-is-not-host', 'quoted', { change: [dropin('91-q.conf', '[Container]\nNetwork="host"\n')] }, (r) => lacks(r, 'network.host')),
    tarCase('9f-60-add-device-quoted-word', 'quoted', { change: [dropin('91-q.conf', '[Container]\nAddDevice="/dev/sda"\n')] }, (r) => has(r, 'device.host', /sda/)),
    tarCase('9f-58-qm-container-quoted-upstream-values', 'quoted', { change: [{ ...qmContainer, body: enc.encode(new TextDecoder().decode(qmContainer.body).replace('ReadOnly=true', 'ReadOnly="true"')) }] }, (r, ref) => {
      lacks(r, 'read_only.off')
      assertThat(JSON.stringify(r.units.host[0]?.execStart) === JSON.stringify(ref.units.host[0]?.execStart), 'the same podman command as unquoted', r)
    }),
  ]
}

/** A GNU sparse member (type 'S', no extension), its data block. */
function sparseMember(name: string): Uint8Array[] {
  return [header({ name, type: 'S', size: 512, format: 'gnu', patch: [[483, (1024).toString(8).padStart(11, '0')]] }), new Uint8Array(512)]
}

/** Make a directory a non-root uid can enter. */
export function open(dir: string): void {
  mkdirSync(dir, { recursive: true })
  chmodSync(dir, 0o755)
}
