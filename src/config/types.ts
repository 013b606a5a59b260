/**
 * A qm.yaml after validation, with every default of src/config/qm.schema.json filled in.
 * Keys keep the YAML spelling so that an error's JSON Pointer names the key the user wrote.
 */

export type UnitValue = string | number | boolean
export type UnitKeys = Record<string, UnitValue | UnitValue[]>

export interface FileSource {
  source_path?: string
  url?: string
  sha256?: string
  pipeline?: string
  path?: string
}

export interface Repo {
  id: string
  baseurl?: string
  metalink?: string
  mirrorlist?: string
  priority: number
}

export interface Rootfs {
  packages: string[]
  base_packages?: string[]
  exclude_packages: string[]
  repos: Repo[]
  repos_from: string[]
  architecture: string
  module_platform_id: string
  releasever?: string
  gpgkeys: string[]
  rpms?: { url: string; sha256: string }[]
  tarball?: { source_path?: string; url?: string; sha256?: string }
  pipeline?: string
}

export interface AddFile {
  path: string
  text?: string
  source_path?: string
  url?: string
  sha256?: string
  source_glob?: string
  preserve_path: boolean
  max_files: number
  allow_empty: boolean
}

export interface Content {
  rpms: string[]
  repos: Repo[]
  container_images: ContainerImage[]
  add_files: AddFile[]
  make_dirs: { path: string; mode?: number; parents: boolean; exist_ok: boolean }[]
  add_symlinks: { link: string; target: string }[]
  chmod_files: { path: string; mode: string; recursive: boolean }[]
  chown_files: { path: string; user?: string | number; group?: string | number; recursive: boolean }[]
  systemd: { enabled_services: string[]; disabled_services: string[]; masked_services: string[] }
  remove_files?: unknown[]
  enable_repos?: unknown[]
  sbom?: object
}

export interface Container {
  volumes: string[]
  devices: string[]
  annotations: Record<string, string>
  environment: Record<string, string>
  read_only?: boolean
  seccomp_profile: string
  seccomp_source?: FileSource
  add_capabilities: string[]
  drop_capabilities: string[]
  sysctl: Record<string, string>
  network?: string
  timezone?: string
  privileged: boolean
  security_label_disable: boolean
}

export interface ContainersConf {
  oom_score_adj: number
  netns: string
  default_subnet: string
  cgroup_conf: string[]
  default_ulimits: string[]
  default_sysctls: string[]
  env: string[]
}

export interface Bluechi {
  enabled: boolean
  node_name?: string
  controller: { address: string; host?: string; port?: number }
  agent: UnitKeys
  dropin: string
}

export interface Nested {
  name: string
  image: string
  exec?: string
  network?: string
  oom_score_adjust?: number
  environment: Record<string, string>
  volumes: string[]
  enabled: boolean
  pull?: 'never' | 'missing' | 'always' | 'newer'
  unit: UnitKeys
  container: UnitKeys
  service: UnitKeys
  install: UnitKeys
}

export interface ContainerImage {
  source: string
  tag?: string
  digest?: string
  image_id?: string
  name?: string
  'containers-transport'?: 'docker' | 'containers-storage'
}

export interface QmConfig {
  policy: string
  node: string
  mode: 'image' | 'package'
  pipeline: string
  build_pipeline?: string
  host_files: 'rpm' | 'plugin'
  rootfs: Rootfs
  content: Content
  memory_limit: { max: string; high: string }
  cpu_weight: string | number
  io_weight: number
  cpu_quota?: string
  allowed_cpus?: string
  tasks_max: string | number
  oom_score_adjust: number
  host_oom_score_adjust: number
  container: Container
  containers_conf: ContainersConf
  storage_conf: { path: '/usr/share/containers/storage.conf' | '/etc/containers/storage.conf'; transient_store: boolean }
  bluechi: Bluechi
  nested: Nested[]
  container_images: ContainerImage[]
  selinux: { label: boolean; module?: FileSource; interface?: FileSource }
  subids: { qm: string[]; host: string[] }
  allow_unsafe: Record<string, string>
}
