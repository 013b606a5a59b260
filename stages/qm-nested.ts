import type { Nested } from '../src/config/types.ts'
import { placeFiles, type FileSpec } from '../src/manifest/files.ts'
import type { Fragment } from '../src/manifest/types.ts'
import { IN_QM } from '../src/qm/paths.ts'
import { quoteItem } from '../src/units/split.ts'
import { rawEntries } from '../src/units/values.ts'
import { writeUnit, type UnitSection } from '../src/units/write.ts'

/**
 * One Quadlet .container per nested container, in QM's /etc/containers/systemd/
 * (on the host /etc/qm/containers/systemd/, the copy QM sees at runtime).
 */
export function files({ nested }: { nested: readonly Nested[] }): FileSpec[] {
  return nested.map((n) => ({ path: `${IN_QM.nestedQuadletDir}/${n.name}.container`, content: quadlet(n) }))
}

export const generate = (o: { nested: readonly Nested[] }): Fragment => placeFiles(files(o))

function quadlet(n: Nested): string {
  const container: [string, string][] = [['Image', n.image]]
  // podman's name for it: containers/qm's README runs `podman inspect <name>`, and Quadlet's
  // default is systemd-<name>; a raw ContainerName the user wrote wins
  if (!('ContainerName' in n.container)) container.push(['ContainerName', n.container_name ?? n.name])
  if (n.exec !== undefined) container.push(['Exec', n.exec])
  if (n.network !== undefined) container.push(['Network', n.network])
  if (n.pull !== undefined) container.push(['Pull', n.pull])
  for (const [k, v] of Object.entries(n.environment)) container.push(['Environment', quoteItem(`${k}=${v}`, 'args')])
  for (const v of n.volumes) container.push(['Volume', v])
  const service: [string, string][] = n.oom_score_adjust === undefined ? [] : [['OOMScoreAdjust', String(n.oom_score_adjust)]]
  const install: [string, string][] = n.enabled ? [['WantedBy', 'default.target']] : []
  const sections: UnitSection[] = [
    { name: 'Unit', entries: rawEntries(n.unit) },
    { name: 'Container', entries: [...container, ...rawEntries(n.container)] },
    { name: 'Service', entries: [...service, ...rawEntries(n.service)] },
    { name: 'Install', entries: [...install, ...rawEntries(n.install)] },
  ]
  return writeUnit(
    sections.filter((s) => s.entries.length > 0),
    { comment: [`Nested container ${n.name} of the QM partition, written by qm-stage.`] },
  )
}
