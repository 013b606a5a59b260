import type { Container } from '../src/config/types.ts'
import { normaliseCapability, QM_DROPPED_CAPABILITIES } from '../src/isolation.ts'
import { placeFiles, type FileSpec } from '../src/manifest/files.ts'
import type { Fragment } from '../src/manifest/types.ts'
import { QM } from '../src/qm/paths.ts'
import { keyKind } from '../src/units/keys.ts'
import { quoteItem } from '../src/units/split.ts'
import { writeUnit } from '../src/units/write.ts'

export interface Options {
  /** automotive-image-builder writes MemoryMax, MemoryHigh and CPUWeight itself; its fragment leaves them out */
  resources: {
    MemoryMax?: string
    MemoryHigh?: string
    CPUWeight?: string
    IOWeight: string
    TasksMax: string
    OOMScoreAdjust: string
    CPUQuota?: string
    AllowedCPUs?: string
  }
  container: Container
  /** the effective ReadOnly= (image-mode hosts keep QM read-only) */
  readOnly: boolean
  /** the directory of the BlueChi controller socket, shared with QM's agent at the same path */
  bluechiSocketDir?: string
  /** the config's allow_unsafe entries, recorded in the drop-in qm-stage always writes (inspect reads them) */
  allowUnsafe: Record<string, string>
}


/**
 * qm.container drop-ins in /usr/share/containers/systemd/qm.container.d/: resources and
 * the record of accepted unsafe settings (always, so the config is the whole truth
 * whatever qm.container ships), container settings that differ from upstream, and the
 * BlueChi socket.
 */
export function files(o: Options): FileSpec[] {
  const record = Object.entries(o.allowUnsafe).map(([id, reason]) => `allow_unsafe ${id}: ${reason}`)
  const out: FileSpec[] = [dropin('10-qm.conf', ['Resources of qm.service, from qm.yaml.', ...record], [['Service', resourceEntries(o.resources)]])]
  const container = containerEntries(o.container, o.readOnly)
  if (container.length > 0) out.push(dropin('20-qm-container.conf', 'Settings of the QM container, from qm.yaml.', [['Container', container]]))
  if (o.bluechiSocketDir) {
    out.push(
      dropin('30-qm-bluechi.conf', "The host's BlueChi controller socket directory for QM's agent (tmpfiles.d creates it at boot).", [
        ['Unit', [['After', 'bluechi-controller.socket']]],
        ['Container', [['Volume', `${o.bluechiSocketDir}:${o.bluechiSocketDir}`]]],
      ]),
    )
  }
  return out
}

export const generate = (o: Options): Fragment => placeFiles(files(o))

type Entries = [string, string][]

function dropin(name: string, comment: string | string[], sections: [string, Entries][]): FileSpec {
  const content = writeUnit(
    sections.map(([section, entries]) => ({ name: section, entries })),
    { comment: [...(Array.isArray(comment) ? comment : [comment]), 'Written by qm-stage.'] },
  )
  return { path: `${QM.dropinDir}/${name}`, content }
}

function resourceEntries(r: Options['resources']): Entries {
  return Object.entries(r).filter((e): e is [string, string] => e[1] !== undefined)
}

function containerEntries(c: Container, readOnly: boolean): Entries {
  const out: Entries = []
  // list keys Quadlet splits on blanks get each item quoted, so one setting stays one item
  const add = (key: string, values: Iterable<string>) => {
    const kind = keyKind('Container', key)
    for (const v of values) out.push([key, v !== '' && (kind === 'words' || kind === 'args') ? quoteItem(v, kind) : v])
  }
  add('Volume', c.volumes)
  add('AddDevice', c.devices)
  add('PublishPort', c.publish_ports)
  add('Annotation', Object.entries(c.annotations).map(([k, v]) => `${k}=${v}`))
  // Timezone= replaces upstream's Environment=TZ: reset the list, keep the user's variables
  if (c.timezone !== undefined) add('Environment', [''])
  add('Environment', Object.entries(c.environment).map(([k, v]) => `${k}=${v}`))
  if (c.timezone !== undefined) add('Timezone', [c.timezone])
  if (!readOnly) add('ReadOnly', ['false'])
  // default is containers/qm's realtime recipe: an empty SeccompProfile= makes Quadlet pass
  // `--security-opt seccomp=`, so podman applies its configured default profile wherever it lives
  if (c.seccomp_profile !== QM.seccompProfile) add('SeccompProfile', [c.seccomp_profile === 'default' ? '' : c.seccomp_profile])
  const readded = c.add_capabilities.map(normaliseCapability)
  const drops = [...new Set([...QM_DROPPED_CAPABILITIES, ...c.drop_capabilities.map(normaliseCapability)])].filter((cap) => !readded.includes(cap))
  if (drops.join(' ') !== QM_DROPPED_CAPABILITIES.join(' ')) {
    add('DropCapability', ['', ...drops])
  }
  add('AddCapability', readded)
  add('Sysctl', Object.entries(c.sysctl).map(([k, v]) => `${k}=${v}`))
  if (c.network !== undefined && c.network !== 'private') add('Network', ['', c.network])
  if (c.privileged) add('PodmanArgs', ['--privileged'])
  if (c.security_label_disable) add('SecurityLabelDisable', ['true'])
  return out
}
