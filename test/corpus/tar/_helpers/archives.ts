// The hostile archive corpus (issue 5, item 2): every archive is generated here, at test time, because each
// is a few hand-made blocks or a repetition; `writeCorpus(dir)` puts them on disk for a look with other tools.

import { gzipSync } from 'node:zlib'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { concat, END, file, gnuLong, header, pax, tar } from '../../../archive/_helpers/tar.ts'

export interface CorpusArchive {
  name: string
  /** The input exactly as a file or standard input holds it. */
  bytes: Uint8Array
  /** Already gzip-compressed, so only read as is. */
  gzip?: boolean
  /** A TAR_READ rejection whose message matches, or an index. */
  expect: RegExp | 'index'
  /** The input is cut short: inspect (which reads partially) reports what came before, with a read.truncated finding. */
  truncated?: true
}

const zeros = (n: number) => new Uint8Array(n)

/** A gzip stream of `mib` MiB of zeros after `head`: concatenated gzip members, so it is tiny to build. */
export function gzipBomb(head: Uint8Array, mib: number): Uint8Array {
  const oneMiB = gzipSync(zeros(1024 * 1024), { level: 9 })
  return concat([gzipSync(head), ...Array.from({ length: mib }, () => oneMiB)])
}

export function corpus(): CorpusArchive[] {
  const small = tar(file('etc/qm/containers/systemd/app.container', '[Container]\nImage=app\n'))
  const gz = gzipSync(small)
  const corrupt = gz.slice()
  for (let i = 12; i < corrupt.length - 8; i += 7) corrupt[i]! ^= 0x5a
  const badPaxSize = tar(pax([['size', '12abc']]), file('x'))
  const noPrefix = (n: number) => Array.from({ length: n }, (_, i) => header({ name: `../escape-${i}` }))
  const sparseHeader = header({
    name: 'var/lib/sparse.img',
    type: 'S',
    size: 512,
    format: 'gnu',
    // isextended = 1, realsize = 1 GiB (octal)
    patch: [[482, new Uint8Array([1])], [483, (1024 ** 3).toString(8).padStart(11, '0')]],
  })
  const sparseExtension = zeros(512) // isextended (byte 504) = 0: the last extension block

  return [
    // Faults that end the read.
    { name: 'bad-checksum.tar', bytes: tar(file('a', 'x'), header({ name: 'b', checksum: 'bad' })), expect: /bad header checksum, at byte 1024 \/ member 2$/ },
    { name: 'checksum-not-octal.tar', bytes: tar(header({ name: 'a', afterChecksum: [[148, 'zzzzzz']] })), expect: /not a tar archive/ },
    { name: 'truncated-in-header.tar', bytes: concat([file('a', 'x'), header({ name: 'b' }).subarray(0, 300)]), expect: /truncated archive: (a header is cut short|the input ends inside a header), at byte (1024|1324) \/ member 2$/ , truncated: true },
    { name: 'truncated-in-data.tar', bytes: concat([file('a', 'x'), header({ name: 'b', size: 10_000 }), zeros(1024)]), expect: /(claims 10000 bytes but the archive has only 1024 left|the input ends inside member data), at byte \d+ \/ member 2$/ , truncated: true },
    { name: 'huge-size-claim.tar', bytes: tar(header({ name: 'huge', size: 8 ** 11 - 1 }), file('after')), expect: /(claims 8589934591 bytes but the archive has only 1536 left|the input ends inside member data), at byte \d+ \/ member 1$/ , truncated: true },
    { name: 'size-beyond-2^53.tar', bytes: tar(header({ name: 'huge', size: 0, patch: [[124, new Uint8Array([0x80, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]] })), expect: /header size field is not a valid number, at byte 0 \/ member 1$/ },
    { name: 'negative-size.tar', bytes: tar(header({ name: 'neg', patch: [[124, new Uint8Array(12).fill(0xff)]] })), expect: /header size field is not a valid number/ },
    { name: 'pax-size-not-a-number.tar', bytes: badPaxSize, expect: /member size is not a valid number, at byte 0 \/ member 1$/ },
    { name: 'pax-header-too-large.tar', bytes: concat([header({ name: 'PaxHeaders/x', type: 'x', size: 2 * 1024 * 1024 }), zeros(2 * 1024 * 1024), END]), expect: /extended header of 2097152 bytes exceeds the 1048576-byte limit, at byte 0 \/ member 1$/ },
    { name: 'not-a-tar.txt', bytes: new TextEncoder().encode('[Container]\nImage=qm\n'.repeat(100)), expect: /not a tar archive \(the first block is not a valid tar header\), at byte 0 \/ member 1$/ },
    { name: 'empty', bytes: zeros(0), expect: /empty input, not a tar archive, at byte 0 \/ member 1$/ },
    { name: 'shorter-than-a-block', bytes: new TextEncoder().encode('hello'), expect: /not a tar archive \(5 bytes, shorter than one header\)/ },
    { name: 'xz-magic.tar.xz', bytes: concat([new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), zeros(1000).fill(1)]), expect: /xz-compressed input is not supported; decompress it first/ },
    { name: 'corrupt.tar.gz', bytes: corrupt, gzip: true, expect: /corrupt gzip stream \(.+\), at byte \d+ \/ member \d+$/ },
    { name: 'truncated.tar.gz', bytes: gz.subarray(0, Math.floor(gz.length / 2)), gzip: true, expect: /(corrupt gzip stream \(.+\)|truncated archive: .+), at byte \d+ \/ member \d+$/ },
    { name: 'gzip-not-tar.gz', bytes: gzipSync(new TextEncoder().encode('just text, no tar here '.repeat(50))), gzip: true, expect: /not a tar archive/ },

    // Read to the end, with problems.
    { name: 'dotdot-and-absolute-names.tar', bytes: tar(file('../etc/shadow', 'x'), file('a/../../b'), file('a/../c'), file('/etc/qm/abs.conf', 'abs'), file('..')), expect: 'index' },
    { name: 'symlink-escapes.tar', bytes: tar(header({ name: 'etc/qm/containers', type: '2', linkname: '../../../../../etc/shadow' }), header({ name: 'etc/qm/abs', type: '2', linkname: '/etc/shadow' })), expect: 'index' },
    { name: 'hardlink-escapes.tar', bytes: tar(header({ name: 'etc/qm/passwd', type: '1', linkname: '../../etc/passwd' }), header({ name: 'etc/qm/abs', type: '1', linkname: '/etc/passwd' })), expect: 'index' },
    { name: 'symlink-loop.tar', bytes: tar(header({ name: 'a', type: '2', linkname: 'b' }), header({ name: 'b', type: '2', linkname: 'a' }), header({ name: 'self', type: '2', linkname: '.' }), header({ name: 'hl', type: '1', linkname: 'hl' })), expect: 'index' },
    { name: 'duplicates.tar', bytes: tar(file('etc/qm.conf', 'one'), file('etc/qm.conf', 'two'), header({ name: 'etc/qm.conf', type: '5' }), file('etc/qm.conf', 'three')), expect: 'index' },
    { name: 'pax-malformed-records.tar', bytes: tar(concat([header({ name: 'PaxHeaders/x', type: 'x', size: 30 }), concat([new TextEncoder().encode('99999999999 path=/etc/shadow\n'), zeros(483)])]), file('ok', 'fine')), expect: 'index' },
    { name: 'pax-path-with-nul.tar', bytes: tar(pax([['path', 'etc/qm\0/../../shadow']]), file('x')), expect: 'index' },
    { name: 'gnu-longname-without-member.tar', bytes: tar(file('a'), gnuLong('orphan-name', 'L')), expect: 'index' },
    { name: 'root-as-file.tar', bytes: tar(file('.', 'x'), file('/', 'y')), expect: 'index' },
    { name: 'gnu-sparse.tar', bytes: tar(sparseHeader, sparseExtension, zeros(512), file('after', 'A')), expect: 'index' },
    { name: 'many-bad-names.tar', bytes: tar(...noPrefix(3000)), expect: 'index' },
    { name: 'deep-name.tar', bytes: tar(pax([['path', 'd/'.repeat(20_000) + 'f']]), file('x', 'deep')), expect: 'index' },
  ]
}

/** Bombs are big to inflate, so they are kept apart from the quick corpus. */
export function bombs(): CorpusArchive[] {
  const head = header({ name: 'usr/lib/qm/rootfs/zeros', size: 8 ** 11 - 1 })
  return [{ name: 'gzip-bomb-256MiB.tar.gz', bytes: gzipBomb(head, 256), gzip: true, expect: /truncated archive: the input ends inside member data|more than/, truncated: true }]
}

/** Write the corpus to `dir`, to look at it with other tools (bombs too, unless told not to). */
export function writeCorpus(dir: string, withBombs = true): void {
  mkdirSync(dir, { recursive: true })
  for (const archive of [...corpus(), ...(withBombs ? bombs() : [])]) writeFileSync(join(dir, archive.name), archive.bytes)
}
