// Names of unit files and drop-ins, checked by the rules of the programs that read them:
//   systemd src/basic/unit-name.c unit_name_is_valid(): under 256 bytes; "<prefix>[@<instance>].<type>";
//     prefix and instance from [A-Za-z0-9:_.\-] plus '@'; '@' not first; the type one of systemd's unit types.
//   podman pkg/systemd/quadlet: a Quadlet file is <name>.<ext> for the extensions below; the unit systemd sees is
//     <name><suffix>.service (a trailing '@' of <name> moves after the suffix), so that name must be valid too.
//   Drop-ins: Quadlet takes names whose extension is ".conf" (cmd/quadlet/main.go); systemd takes "*.conf" but
//     skips hidden files (conf-files.c), so a name starting with '.' works for one reader only.

export const UNIT_TYPES = new Set(['service', 'socket', 'device', 'mount', 'automount', 'swap', 'target', 'path', 'timer', 'slice', 'scope'])

/** Quadlet file extensions and the suffix each adds to the generated service name. */
export const QUADLET_EXTENSIONS: Readonly<Record<string, string>> = {
  container: '', kube: '', volume: '-volume', network: '-network', pod: '-pod', image: '-image', build: '-build', artifact: '-artifact',
}

/** The section of each Quadlet file type that holds its ServiceName=. */
export const MAIN_SECTION: Readonly<Record<string, string>> = {
  container: 'Container', kube: 'Kube', volume: 'Volume', network: 'Network', pod: 'Pod', image: 'Image', build: 'Build', artifact: 'Artifact',
}

const NAME_MAX = 255 // bytes, both systemd's UNIT_NAME_MAX - 1 and Linux's NAME_MAX for a file name
const bytes = (s: string) => Buffer.byteLength(s, 'utf8')

export function isValidSystemdUnitName(name: string): boolean {
  if (bytes(name) > NAME_MAX) return false
  const dot = name.lastIndexOf('.')
  if (dot <= 0 || !UNIT_TYPES.has(name.slice(dot + 1))) return false
  const stem = name.slice(0, dot)
  return /^[A-Za-z0-9:_.\\@-]+$/.test(stem) && !stem.startsWith('@')
}

/** The service Quadlet generates from a Quadlet file name (ServiceName= aside), or undefined if not a Quadlet name. */
export function quadletServiceName(name: string): string | undefined {
  const dot = name.lastIndexOf('.')
  const ext = name.slice(dot + 1)
  if (dot <= 0 || !Object.hasOwn(QUADLET_EXTENSIONS, ext)) return undefined
  const stem = name.slice(0, dot)
  const suffix = QUADLET_EXTENSIONS[ext]!
  return stem.endsWith('@') ? `${stem.slice(0, -1)}${suffix}@.service` : `${stem}${suffix}.service`
}

/** A systemd unit name, or a Quadlet file name whose generated service name systemd accepts. */
export function isValidUnitName(name: string): boolean {
  if (bytes(name) > NAME_MAX) return false
  const service = quadletServiceName(name)
  return service === undefined ? isValidSystemdUnitName(name) : isValidSystemdUnitName(service)
}

/** Why a drop-in file name would be skipped or unsafe, or undefined when every reader takes it. */
export function dropinNameProblem(name: string): string | undefined {
  if (!name.endsWith('.conf')) return 'a drop-in name must end in ".conf"'
  if (name.startsWith('.')) return 'systemd skips hidden files'
  if (bytes(name) > NAME_MAX) return `a file name is at most ${NAME_MAX} bytes`
  // Not a reader's rule: keeps names portable and safe to print and to pass through shells and manifests.
  if (!/^[A-Za-z0-9][A-Za-z0-9._@+-]*$/.test(name)) return 'use only letters, digits and . _ @ + - in drop-in names'
  return undefined
}
