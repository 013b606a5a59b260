import { hexDigest } from '../digest.ts'
import type { Input, Sources } from './types.ts'

export type Content = string | Uint8Array

const bytes = (content: Content): Buffer =>
  typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength)

export function sha256(content: Content): string {
  return hexDigest('sha256', bytes(content))
}

/** An `org.osbuild.inline` source item for `content`, keyed by the checksum of its raw bytes. */
export function inlineSource(content: Content): { ref: string; sources: Sources } {
  // encoded once; a view of bytes given, not a copy
  const raw = bytes(content)
  const ref = `sha256:${hexDigest('sha256', raw)}`
  const data = raw.toString('base64')
  return { ref, sources: { 'org.osbuild.inline': { items: { [ref]: { encoding: 'base64', data } } } } }
}

/** An `org.osbuild.files` input over source items: the stage sees them as `input://<name>/<ref>`. */
export function filesInput(refs: readonly string[]): Input {
  return { type: 'org.osbuild.files', origin: 'org.osbuild.source', references: [...new Set(refs)] }
}

/** An `org.osbuild.tree` input: a read-only view of an earlier pipeline's tree. */
export function treeInput(pipeline: string): Input {
  return { type: 'org.osbuild.tree', origin: 'org.osbuild.pipeline', references: [`name:${pipeline}`] }
}
