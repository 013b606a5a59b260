/**
 * chmod(1) mode strings as GNU coreutils reads them: octal (`0640`) or symbolic clauses
 * (`u+x`, `go-w`, `a=r`, `+t`, `u=g`, `a+X`), comma separated. The org.osbuild.chmod stage runs
 * chmod with umask 022, which matters for clauses without a who (`+w` only adds u+w).
 */

const SUID = 0o4000
const SGID = 0o2000
const STICKY = 0o1000
const ALL = 0o7777
const R = 0o444
const W = 0o222
const X = 0o111

type Flag = 'plain' | 'copy' | 'x-if-any-x'

interface Change {
  op: '=' | '+' | '-'
  flag: Flag
  affected: number
  value: number
  mentioned: number
}

const WHO: Record<string, number> = { u: SUID | 0o700, g: SGID | 0o070, o: STICKY | 0o007, a: ALL }
const PERM: Record<string, number> = { r: R, w: W, x: X, s: SUID | SGID, t: STICKY }
const COPY: Record<string, number> = { u: 0o700, g: 0o070, o: 0o007 }

/** Parse a mode string; undefined when chmod would reject it. */
export function parseMode(spec: string): Change[] | undefined {
  if (/^[0-7]+$/.test(spec)) {
    const value = parseInt(spec, 8)
    if (value > ALL) return undefined
    // Fewer than 5 digits leave a directory's setuid/setgid alone unless they are set.
    const mentioned = spec.length < 5 ? (value & (SUID | SGID)) | STICKY | 0o777 : ALL
    return [{ op: '=', flag: 'plain', affected: ALL, value, mentioned }]
  }
  const changes: Change[] = []
  for (const clause of spec.split(',')) {
    const m = /^([ugoa]*)([-+=].*)$/.exec(clause)
    if (!m) return undefined
    let affected = 0
    for (const c of m[1]!) affected |= WHO[c]!
    const actions = m[2]!.match(/[-+=][^-+=]*/g)!
    for (const action of actions) {
      const op = action[0] as Change['op']
      const rest = action.slice(1)
      if (/^[0-7]+$/.test(rest)) {
        const value = parseInt(rest, 8)
        if (affected !== 0 || value > ALL || actions.length > 1) return undefined
        changes.push({ op, flag: 'plain', affected: ALL, value, mentioned: ALL })
        continue
      }
      if (/^[ugo]$/.test(rest)) {
        changes.push({ op, flag: 'copy', affected, value: COPY[rest]!, mentioned: affected ? affected & COPY[rest]! : COPY[rest]! })
        continue
      }
      if (!/^[rwxXst]*$/.test(rest)) return undefined
      let value = 0
      let flag: Flag = 'plain'
      for (const c of rest) {
        if (c === 'X') flag = 'x-if-any-x'
        else value |= PERM[c]!
      }
      changes.push({ op, flag, affected, value, mentioned: affected ? affected & value : value })
    }
  }
  return changes
}

/** The mode chmod gives a file of mode `old` (permission bits only). */
export function applyMode(old: number, changes: readonly Change[], isDir: boolean, umask = 0o022): number {
  let mode = old & ALL
  for (const change of changes) {
    const omit = (isDir ? SUID | SGID : 0) & ~change.mentioned
    let value = change.value
    if (change.flag === 'copy') {
      value &= mode
      value |= (value & R ? R : 0) | (value & W ? W : 0) | (value & X ? X : 0)
    } else if (change.flag === 'x-if-any-x' && (mode & X || isDir)) {
      value |= X
    }
    value &= (change.affected ? change.affected : ~umask) & ~omit
    if (change.op === '=') {
      const preserved = (change.affected ? ~change.affected : 0) | omit
      mode = (mode & preserved) | value
    } else if (change.op === '+') {
      mode |= value
    } else {
      mode &= ~value
    }
  }
  return mode & ALL
}
