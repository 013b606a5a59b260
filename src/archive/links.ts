// Hard links whose content is wanted. Tar stores a file's data once, at its first name; later names are links
// to it. When the caller skipped that first name (an OSTree object, say) and wants a later one, the data has
// gone by. A seekable or re-openable input is read once more for just those targets.

import type { IndexBuilder, PendingLink } from './collect.ts'
import type { Member, MemberSink } from './members.ts'
import { normaliseName } from './names.ts'

export class LinkTargets implements MemberSink {
  private readonly builder: IndexBuilder
  private readonly byTarget = new Map<string, PendingLink[]>()
  /** The last link's member index: nothing after it can be a target. */
  private readonly last: number
  private seen = 0
  private current: PendingLink[] = []
  private readonly found = new Map<PendingLink, Uint8Array>()

  constructor(builder: IndexBuilder) {
    this.builder = builder
    for (const link of builder.pending) {
      const list = this.byTarget.get(link.target) ?? []
      list.push(link)
      this.byTarget.set(link.target, list)
    }
    this.last = Math.max(0, ...builder.pending.map((l) => l.index))
  }

  member(m: Member): boolean {
    this.seen = m.index
    const named = normaliseName(m.name)
    const links = typeof named === 'string' ? this.byTarget.get(named) : undefined
    if (!links) return false
    // Each link gets the last member of its target's name before it; one that is not a readable file
    // replaces the earlier content with none.
    this.current = links.filter((l) => l.index > m.index)
    const readable = m.type === 'file' && !m.sparse && m.dataSize <= this.builder.maxBodyBytes
    if (!readable) for (const link of this.current) this.found.delete(link)
    return readable && this.current.length > 0
  }

  body(_m: Member, data: Uint8Array): void {
    for (const link of this.current) this.found.set(link, data)
  }

  done(): boolean {
    return this.seen >= this.last
  }

  /** Hand each link the content found for it, within the builder's limits. */
  apply(): void {
    for (const link of this.builder.pending) {
      const data = this.found.get(link)
      if (data && this.builder.roomFor(link.link, data.length)) this.builder.keepBody(link.link, data)
    }
  }
}
