/**
 * The report of `qm-stage inspect`, as --json prints it (docs/inspect-json.md documents
 * it; src/inspect/report.schema.json is its JSON Schema). REPORT_VERSION changes when a
 * field changes meaning or goes away; new fields do not change it.
 */
export const REPORT_VERSION = 1

export type Severity = 'info' | 'warning' | 'error'
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'error']

/** A value and the file:line that set it. */
export interface Sourced {
  value: string
  file: string
  line?: number
}

export interface Finding {
  /** stable id, e.g. oom.nested_below_qm */
  id: string
  severity: Severity
  message: string
  /** the file that causes it, when one does */
  file?: string
}

export interface PathState {
  path: string
  present: boolean
  type?: string
  mode?: string
  label?: string
}

export interface QuadletSetting {
  section: string
  key: string
  /** scalar keys: the winning value; list keys: the accumulated items */
  value?: Sourced
  values?: Sourced[]
  /** earlier assignments that were overridden or reset */
  overridden?: Sourced[]
}

export interface NestedQuadlet {
  name: string
  /** the copy QM's Quadlet generator reads at runtime */
  file: string
  /** other copies that exist but are hidden at runtime */
  shadowed: string[]
  image?: Sourced
  imageEmbedded?: boolean
  pull?: string
  oomScoreAdjust?: Sourced
  /** its Volume= entries */
  volumes?: Sourced[]
}

export interface Report {
  version: typeof REPORT_VERSION
  input: { path: string; kind: string; members: number }
  imageMode: boolean
  placement: {
    rootfs: PathState
    etc: PathState
    var: PathState
    varTmp: PathState
    /** regular files under /var/qm (the first MAX_VAR_FILES): an image-mode host never receives them */
    varFiles: string[]
    /** the host's tmpfiles.d lines that create /var/qm and /var/qm/tmp at boot */
    tmpfiles: { type: string; path: string; mode?: string; argument?: string; file: string; line: number }[]
    init?: string
    systemd?: string
    podman?: string
  }
  quadlet: {
    unit?: string
    shadowed: string[]
    dropins: string[]
    overridden: string[]
    rejected: string[]
    settings: QuadletSetting[]
    pregenerated?: { path: string; generatorMasked: boolean; dropinsIgnored: boolean; differs: string[] }
  }
  inside: {
    containersConf: { files: string[]; oomScoreAdj?: Sourced }
    storage: { file?: string; imageStores: string[]; transientStore?: boolean }
    embeddedImages: string[]
    nested: NestedQuadlet[]
  }
  bluechi: { files: string[]; nodeName?: Sourced; controllerAddress?: Sourced; controllerHost?: Sourced; enabled: boolean }
  selinux: {
    policy?: string
    modulePackage?: string
    moduleStore?: string
    fileContexts: { file?: string; entries: string[] }
    labels: { path: string; label: string }[]
  }
  /** /etc/subuid and /etc/subgid of the host and inside QM (/etc/qm/...) */
  subids: { host: SubidFile[]; qm: SubidFile[] }
  findings: Finding[]
}

export interface SubidFile {
  path: string
  present: boolean
  lines: string[]
}
