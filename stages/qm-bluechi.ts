import type { UnitKeys } from '../src/config/types.ts'
import { placeFiles, type FileSpec } from '../src/manifest/files.ts'
import type { Fragment } from '../src/manifest/types.ts'
import { IN_QM } from '../src/qm/paths.ts'
import { rawEntries } from '../src/units/values.ts'
import { writeUnit } from '../src/units/write.ts'

export interface Options {
  nodeName: string
  controller: { address: string } | { host: string; port?: number }
  extra: UnitKeys
  dropin: string
}

/**
 * The BlueChi agent config inside QM, as an agent.conf.d drop-in (on the host:
 * /etc/qm/bluechi/agent.conf.d/). The agent is enabled by the QM systemd stage.
 */
export function files({ nodeName, controller, extra, dropin }: Options): FileSpec[] {
  const address: [string, string][] =
    'address' in controller
      ? [['ControllerAddress', controller.address]]
      : [['ControllerHost', controller.host], ...(controller.port ? [['ControllerPort', String(controller.port)] as [string, string]] : [])]
  const text = writeUnit([{ name: 'bluechi-agent', entries: [['NodeName', nodeName], ...address, ...rawEntries(extra)] }], {
    comment: ['BlueChi agent of the QM partition, written by qm-stage.'],
  })
  return [{ path: `${IN_QM.bluechiDropinDir}/${dropin}`, content: text }]
}

export const generate = (o: Options): Fragment => placeFiles(files(o))
