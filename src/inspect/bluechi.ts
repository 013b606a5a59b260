import { mergeUnits } from '../units/merge.ts'
import { parseUnit } from '../units/parse.ts'
import { sourced } from './unit-model.ts'
import type { Report } from './report.ts'
import { loads, type TreeView } from './view.ts'

const SECTION = 'bluechi-agent'

/** QM's BlueChi agent: agent.conf, then agent.conf.d/*.conf by name (/etc wins a name), as the agent merges them. */
export function bluechiModel(qm: TreeView): Report['bluechi'] {
  const dropins = new Map<string, string>()
  for (const dir of ['/usr/share/bluechi/agent.conf.d', '/etc/bluechi/agent.conf.d']) {
    for (const name of qm.list(dir) ?? []) if (name.endsWith('.conf')) dropins.set(name, `${dir}/${name}`)
  }
  const paths = ['/etc/bluechi/agent.conf', ...[...dropins.keys()].sort().map((n) => dropins.get(n)!)].filter((p) => loads(qm, p))
  const agent = mergeUnits(paths.map((p) => parseUnit(qm.text(p) ?? '', qm.where(p), 'systemd')))
  const value = (key: string) => {
    const k = agent.find(SECTION, key)
    return k?.kind === 'scalar' ? { [key[0]!.toLowerCase() + key.slice(1)]: sourced(k.value) } : {}
  }
  // enabled = linked from a target's .wants (the link itself: its target is the unit in the rootfs)
  const enabled = (qm.list('/etc/systemd/system') ?? []).some((d) => d.endsWith('.wants') && (qm.list(`/etc/systemd/system/${d}`) ?? []).includes('bluechi-agent.service'))
  return { files: paths.map((p) => qm.where(p)), ...value('NodeName'), ...value('ControllerAddress'), ...value('ControllerHost'), enabled }
}
