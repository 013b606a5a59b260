import type { Fragment, Json } from '../src/manifest/types.ts'

export interface Options {
  enabled: string[]
  disabled: string[]
  masked: string[]
}

/** Units enabled, disabled and masked inside QM (systemctl --root on the QM tree). */
export function generate({ enabled, disabled, masked }: Options): Fragment {
  const options: Record<string, Json> = {}
  if (enabled.length > 0) options.enabled_services = enabled
  if (disabled.length > 0) options.disabled_services = disabled
  if (masked.length > 0) options.masked_services = masked
  if (Object.keys(options).length === 0) return { stages: [], sources: {} }
  return { stages: [{ type: 'org.osbuild.systemd', options }], sources: {} }
}
