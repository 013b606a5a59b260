import type { ContainersConf } from '../config/types.ts'

/** containers.conf of containers/qm 1.0 (the schema's defaults say the same; a test keeps them equal). */
export const UPSTREAM_CONTAINERS_CONF: ContainersConf = {
  oom_score_adj: 750,
  netns: 'host',
  default_subnet: '10.89.0.0/16',
  cgroup_conf: ['memory.oom.group=1'],
  default_ulimits: [],
  default_sysctls: [],
  env: [],
}

/** A TOML basic string. */
const tomlString = (s: string) =>
  `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`

const tomlArray = (items: readonly string[]) => `[${items.map(tomlString).join(', ')}]`

/**
 * containers.conf inside QM: nested containers share QM's network namespace, get
 * their own subnet and an OOM score above QM's, and are killed as a whole cgroup.
 */
export function containersConfText(cc: ContainersConf): string {
  const lines = [
    '# containers.conf of the QM partition (nested containers), written by qm-stage.',
    '[containers]',
    `default_ulimits = ${tomlArray(cc.default_ulimits)}`,
    `default_sysctls = ${tomlArray(cc.default_sysctls)}`,
    `cgroup_conf = ${tomlArray(cc.cgroup_conf)}`,
    `netns = ${tomlString(cc.netns)}`,
    `oom_score_adj = ${cc.oom_score_adj}`,
    '',
    '[network]',
    `default_subnet = ${tomlString(cc.default_subnet)}`,
  ]
  if (cc.env.length > 0) lines.push('', '[engine]', `env = ${tomlArray(cc.env)}`)
  return `${lines.join('\n')}\n`
}
