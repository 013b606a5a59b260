// podman's -p / Quadlet PublishPort= syntax, checked before it reaches a unit file:
// [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL], ports or ranges, IPv6 in brackets.

export interface PublishPort {
  /** the host address, or undefined for every host interface */
  hostIp?: string
  hostPort?: string
  containerPort: string
  protocol: 'tcp' | 'udp' | 'sctp'
}

const RANGE = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/
const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/

/** Addresses that mean "every interface of the host". */
const ANY = new Set(['0.0.0.0', '::', '[::]'])

/** The mapping, or the reason podman would refuse it (or read it differently from what it says). */
export function parsePublishPort(spec: string): PublishPort | { problem: string } {
  let rest = spec
  let protocol: PublishPort['protocol'] = 'tcp'
  const slash = rest.lastIndexOf('/')
  if (slash >= 0) {
    const p = rest.slice(slash + 1)
    if (p !== 'tcp' && p !== 'udp' && p !== 'sctp') return { problem: `protocol ${p} is not tcp, udp or sctp` }
    protocol = p
    rest = rest.slice(0, slash)
  }
  let hostIp: string | undefined
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close < 0 || rest[close + 1] !== ':') return { problem: 'an IPv6 address goes in brackets followed by ":", like [::1]:8080:80' }
    hostIp = rest.slice(1, close)
    if (!IPV6.test(hostIp) || !hostIp.includes(':')) return { problem: `${hostIp} is not an IPv6 address` }
    rest = rest.slice(close + 2)
  }
  const parts = rest.split(':')
  if (hostIp === undefined && parts.length === 3) {
    hostIp = parts.shift()!
    if (!IPV4.test(hostIp)) return { problem: `${hostIp} is not an IPv4 address (IPv6 goes in brackets)` }
  }
  if (parts.length > 2 || (hostIp !== undefined && parts.length !== 2)) return { problem: 'has too many ":"-separated parts' }
  const [hostPort, containerPort] = parts.length === 2 ? [parts[0]!, parts[1]!] : [undefined, parts[0]!]
  const container = range(containerPort)
  if ('problem' in container) return { problem: `container port ${container.problem}` }
  if (hostPort !== undefined && hostPort !== '') {
    const host = range(hostPort)
    if ('problem' in host) return { problem: `host port ${host.problem}` }
    if (host.size !== container.size) {
      return { problem: `host ports ${hostPort} and container ports ${containerPort} are ranges of different sizes` }
    }
  }
  return {
    ...(hostIp !== undefined && !ANY.has(hostIp) ? { hostIp } : {}),
    ...(hostPort ? { hostPort } : {}),
    containerPort,
    protocol,
  }
}

function range(text: string): { size: number } | { problem: string } {
  const m = RANGE.exec(text)
  if (!m) return { problem: `${text || '(empty)'} is not a port or a range like 8000-8010` }
  const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])]
  if (from < 1 || to > 65535) return { problem: `${text} is outside 1-65535` }
  if (to < from) return { problem: `${text} is a range that ends before it starts` }
  return { size: to - from + 1 }
}
