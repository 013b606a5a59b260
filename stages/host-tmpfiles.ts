import { placeFiles, type FileSpec } from '../src/manifest/files.ts'
import type { Fragment } from '../src/manifest/types.ts'
import { QM } from '../src/qm/paths.ts'

/** One tmpfiles.d line; a field left out is written as `-`. */
export interface TmpfilesLine {
  type: 'd' | 'C'
  path: string
  mode?: string
  user?: string
  group?: string
  /** C: the directory copied from */
  argument?: string
  /** why the line is there, written as a comment above it */
  why: string
}

/**
 * The host's tmpfiles.d file: what systemd-tmpfiles creates at every boot, before
 * qm.service starts (systemd-tmpfiles-setup.service runs before sysinit.target). Bind-mount
 * sources that live under /run, and in image mode QM's /var, which OSTree and bootc never
 * deploy from the image after the first boot.
 */
export function files({ lines }: { lines: readonly TmpfilesLine[] }): FileSpec[] {
  if (lines.length === 0) return []
  const body = lines.flatMap((l) => [`# ${l.why}`, formatLine(l)])
  const content = ['# Written by qm-stage. Existing files and directories are never replaced.', ...body, ''].join('\n')
  return [{ path: QM.tmpfiles, content }]
}

export const generate = (o: { lines: readonly TmpfilesLine[] }): Fragment => placeFiles(files(o))

function formatLine(l: TmpfilesLine): string {
  const fields = [l.type, l.path, l.mode ?? '-', l.user ?? '-', l.group ?? '-', '-', ...(l.argument ? [l.argument] : [])]
  // tmpfiles.d splits on white space; every path here comes from a schema that forbids it
  for (const f of fields) if (f === '' || /\s/.test(f)) throw new Error(`tmpfiles.d field ${JSON.stringify(f)} is empty or holds white space`)
  return fields.join(' ')
}
