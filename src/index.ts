// qm-stage's library API: what the CLI is built on, for tools that place or check QM themselves.

export { render, type RenderOptions, type RenderResult } from './render/render.ts'
export { loadConfig, DEFAULTS_FILE, type Loaded } from './config/load.ts'
export type { QmConfig } from './config/types.ts'
export { FORMATS, formatPlan, type Format } from './render/formats.ts'
export type { Plan } from './render/plan.ts'
export type { Fragment, Manifest, Pipeline, Sources, Stage } from './manifest/types.ts'

export { runPlan } from './tree/qm-tree.ts'
export { readSeed, treeToTar, writeTreeToDir, writeTreeToTar } from './tree/export.ts'
export { walk, readFile, type Entry, type Tree } from './tree/vtree.ts'

export { inspect, type InspectOptions } from './inspect/inspect.ts'
export { textReport } from './inspect/text.ts'
export { REPORT_VERSION, type Finding, type Report, type Severity } from './inspect/report.ts'

export { parseUnit, type UnitFile } from './units/parse.ts'
export { writeUnit, type UnitSection } from './units/write.ts'
export { mergeUnits, type EffectiveUnit } from './units/merge.ts'
export { findQuadletFiles } from './units/unit-dirs.ts'

export { UNSAFE, type UnsafeId } from './isolation.ts'
export { ERROR_CODES, QmError, errorToJSON, formatError, type ErrorCode, type Where } from './errors.ts'
