// The two places a bind mount or device is read from: QM's own qm.container (on the host), and a nested
// Quadlet inside QM. Each fixes the directory relative sources join and the variables systemd expands.
import { QM, IN_QM } from '../qm/paths.ts'
import { splitValue } from '../units/split.ts'
import type { RawContext } from './raw-keys.ts'

/** qm.container's Environment= (ROOTFS, RWETCFS, RWVARFS), which its Volume= and Rootfs= use. */
export const QM_CONTAINER_ENV: Readonly<Record<string, string>> = { ROOTFS: QM.rootfs, RWETCFS: QM.etc, RWVARFS: QM.var }

/** qm.container and its drop-ins: relative sources join /usr/share/containers/systemd, the main unit's directory. */
export const qmContext = (qmScore: number): RawContext => ({ scope: 'qm', unitDir: QM.quadletDir, env: QM_CONTAINER_ENV, qmScore })

/**
 * A Quadlet inside QM. `environment` holds its [Service] Environment= values; undefined when an
 * EnvironmentFile= may add more, so a ${VAR} cannot be resolved.
 */
export function nestedContext(qmScore: number, environment: readonly string[] | undefined, unitDir: string = IN_QM.nestedQuadletDir, profile?: RawContext['profile']): RawContext {
  const env = environment && Object.fromEntries(environment.flatMap((v) => splitValue(v, 'args') ?? []).filter((w) => w.includes('=')).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]))
  return { scope: 'nested', unitDir, ...(env ? { env } : {}), qmScore, ...(profile ? { profile } : {}) }
}
