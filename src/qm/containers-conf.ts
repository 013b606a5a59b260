/**
 * containers.conf of containers/qm 1.0. The config's containers_conf defaults to it: the schema
 * carries the same values and a test keeps the two equal.
 */
export const UPSTREAM_CONTAINERS_CONF = {
  oom_score_adj: 750,
  netns: 'host',
  default_subnet: '10.89.0.0/16',
  cgroup_conf: ['memory.oom.group=1'] as readonly string[],
  default_ulimits: [] as readonly string[],
  default_sysctls: [] as readonly string[],
  env: [] as readonly string[],
}

/** The settings QM's containers.conf is written from (the config's containers_conf has this shape). */
export type ContainersConfSettings = typeof UPSTREAM_CONTAINERS_CONF

/** A TOML basic string. */
const tomlString = (s: string) =>
  `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`

const tomlArray = (items: readonly string[]) => `[${items.map(tomlString).join(', ')}]`

/**
 * containers.conf inside QM: nested containers share QM's network namespace, get
 * their own subnet and an OOM score above QM's, and are killed as a whole cgroup.
 */
export function containersConfText(cc: ContainersConfSettings): string {
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
