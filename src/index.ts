// qm-stage's library API: what the CLI is built on, for tools that place or check QM
// themselves. Deliberately small: render a config, check the output against an osbuild,
// build the tree it places, inspect a built image. Everything else is internal.

export { render, type RenderOptions, type RenderResult } from './render/render.ts'
export { checkWithOsbuild, type CheckOptions } from './render/check.ts'
export { FORMATS, type Format } from './render/formats.ts'
export type { Plan } from './render/plan.ts'
export { loadConfig, DEFAULTS_FILE, type Loaded } from './config/load.ts'
export type { QmConfig } from './config/types.ts'
export type { Fragment, Manifest, Pipeline, Sources, Stage } from './manifest/types.ts'

export { buildTree, type BuiltTree } from './tree/qm-tree.ts'

export { inspect, type InspectOptions } from './inspect/inspect.ts'
export { textReport } from './inspect/text.ts'
export { REPORT_VERSION, type Finding, type Report, type Severity } from './inspect/report.ts'

export { UNSAFE, type UnsafeId } from './isolation.ts'
export { ERROR_CODES, QmError, errorToJSON, formatError, type ErrorCode, type Where } from './errors.ts'
