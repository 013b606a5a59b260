/**
 * The report of `qm-stage inspect`, as --json prints it (docs/inspect-json.md documents
 * it; src/inspect/report.schema.json is its JSON Schema). REPORT_VERSION changes when a
 * field changes meaning or goes away; new fields do not change it.
 */
import type { Unmaterialised } from '../qm/not-materialised.ts'

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

/** A unit Quadlet generates, as `quadlet -dryrun` would print it (src/units/generate). */
export interface GeneratedUnit {
  /** the Quadlet file, e.g. qm.container */
  name: string
  /** the systemd unit, e.g. qm.service */
  service: string
  /** the Quadlet file the generator loads, as the generator sees it (SourcePath=) */
  source: string
  /** the same file in the inspected tree */
  file: string
  /** drop-ins this podman applies, in order (paths as the generator sees them) */
  dropins: string[]
  /** drop-ins this podman does not read at all */
  ignoredDropins: string[]
  /** drop-ins hidden by a same-named one that takes precedence in this podman */
  overriddenDropins: string[]
  /** why the generator refuses the unit (then sections and execStart are empty) */
  errors: string[]
  /** keys whose translation qm-stage does not model: the output may differ from Quadlet's */
  notModelled: string[]
  /** in the generator's order; `before`: comment lines printed before the header; comment lines stay among the keys */
  sections: { name: string; before: string[]; lines: ({ key: string; value: string } | { comment: string })[] }[]
  /** ExecStart as systemd splits it into argv; specifiers (%N) and ${VAR} left as written */
  execStart: string[]
  /** the unit as `quadlet -dryrun` prints it after its ---name--- line */
  text: string
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
  /** what the podman generators make of the tree: qm.service on the host, the nested services inside QM */
  units: {
    /** the podman release whose Quadlet is modelled, and the release its rules were verified with */
    podman: string
    verified: string
    /** AddDevice=-/dev/x (added only if it exists when the generator runs): assumed present or absent */
    optionalDevices: 'present' | 'absent'
    host: GeneratedUnit[]
    nested: GeneratedUnit[]
  }
  /** the marker `qm-stage tree` writes into the rootfs placeholder when it ran without a seed: the stages it skipped */
  notMaterialised?: { file: string; stages: Unmaterialised[] }
  findings: Finding[]
}

export interface SubidFile {
  path: string
  present: boolean
  lines: string[]
}
