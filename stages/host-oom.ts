import { placeFiles, type FileSpec } from '../src/manifest/files.ts'
import type { Fragment } from '../src/manifest/types.ts'
import { QM } from '../src/qm/paths.ts'
import { writeUnit } from '../src/units/write.ts'

/**
 * The host half of QM's OOM order: host services (the safety-relevant ones) get a
 * negative default OOM score, below QM's 500 and its nested containers' 750, so the
 * kernel kills QM's workloads first. qm.service sets its own score and is not affected.
 */
export function files({ defaultOomScoreAdjust }: { defaultOomScoreAdjust: number }): FileSpec[] {
  if (defaultOomScoreAdjust === 0) return []
  const content = writeUnit([{ name: 'Manager', entries: [['DefaultOOMScoreAdjust', String(defaultOomScoreAdjust)]] }], {
    comment: ["Host services below QM in the OOM order, written by qm-stage."],
  })
  return [{ path: QM.managerDropin, content }]
}

export const generate = (o: { defaultOomScoreAdjust: number }): Fragment => placeFiles(files(o))
