// Issue 5, archive corpus at the command level: `qm-stage inspect` on every hostile archive
// ends with a clear TAR_READ error or a report (findings, not a crash), writes nothing, reads
// nothing outside the tree, and stays within its memory bound.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cli } from '../../_helpers/cli.ts'
import { scratchFor } from '../../_helpers/scratch.ts'
import { bombs, corpus, type CorpusArchive } from './_helpers/archives.ts'

const Corpus = suite('inspect on hostile archives')
const tmp = scratchFor(Corpus, 'tar-corpus')
const work = tmp()
let tried = 0

async function inspects(archive: CorpusArchive) {
  const file = join(work, archive.name)
  writeFileSync(file, archive.bytes)
  const before = readdirSync(work).sort()
  const { code, out, err } = await cli(['inspect', file, '--json'])
  tried++
  assert.not.match(err, /\n\s+at /, `${archive.name}: no stack trace`)
  const doc = JSON.parse(out) as { errors?: { code: string; message: string }[]; findings?: unknown[] }
  if (archive.expect === 'index') {
    assert.ok(doc.findings, `${archive.name}: a report`)
    assert.is(code, 1, `${archive.name}: no QM in it, so findings fail it`)
  } else if (archive.truncated) {
    // cut short: reported as far as it goes, and where it ends is an error finding
    const truncated = (doc.findings as { id: string; message: string }[] | undefined)?.find((f) => f.id === 'read.truncated')
    assert.is(code, 1, archive.name)
    assert.match(truncated?.message.replace(/^the archive is cut short: /, '').replace(/; nothing after that point.*$/, '') ?? '', archive.expect, archive.name)
  } else {
    assert.is(code, 1, archive.name)
    assert.is(doc.errors?.[0]?.code, 'TAR_READ', archive.name)
    assert.match(doc.errors![0]!.message, archive.expect, archive.name)
  }
  assert.equal(readdirSync(work).sort(), before, `${archive.name}: nothing written`)
}


Corpus('every archive of the corpus: a TAR_READ error or a report', async () => {
  const all = corpus()
  assert.ok(all.length >= 25)
  for (const archive of all) await inspects(archive)
})

Corpus('a gzip bomb ends in an error without using its size in memory', async () => {
  const before = process.memoryUsage().rss
  for (const bomb of bombs()) await inspects(bomb)
  assert.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024, 'RSS stayed within 100 MB of where it started')
})

Corpus('a directory whose links point outside is read without following them out', async () => {
  const root = tmp()
  mkdirSync(join(root, 'usr/share/containers/systemd'), { recursive: true })
  symlinkSync('/etc/passwd', join(root, 'usr/share/containers/systemd/qm.container'))
  mkdirSync(join(root, 'usr/lib/qm'), { recursive: true })
  symlinkSync('/', join(root, 'usr/lib/qm/rootfs'))
  const { out } = await cli(['inspect', root, '--json'])
  tried++
  assert.not.match(out, /root:x:0:0/, 'the host /etc/passwd was not read')
  const report = JSON.parse(out) as { quadlet: { settings: unknown[] }; placement: { rootfs: { present: boolean } } }
  assert.equal(report.quadlet.settings, [])
  assert.is(report.placement.rootfs.present, true, 'the link is there, pointing at the tree\'s own root')
})

Corpus('tried every archive and tree', () => {
  assert.is(tried, corpus().length + bombs().length + 1)
  console.log(`\n  archive corpus: ${tried} archives and trees tried through qm-stage inspect`)
})

Corpus.run()
