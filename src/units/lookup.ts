// Single values as their reader takes them. Quadlet (pkg/systemd/parser/unitfile.go, Lookup and LookupBoolean)
// and systemd (parse_boolean) differ, and Quadlet's own unquoting changed between releases. Checked against
// the real generators of podman 4.9.5, 5.0.3, 5.2.5 and 5.8.2 (test/corpus/quadlet/13-quoted-values):
//   4.9     trailing blanks removed, nothing unquoted: SecurityLabelDisable="true" is false
//   5.0-5.2 trailing blanks removed, then every leading and trailing `"` (strings.Trim): ""true"" and "true are true
//   5.8     trailing blanks removed, then one matching pair of `"`: ""true"" and "true are false
// Single quotes are never removed ('yes' is false). A Quadlet boolean is true for 1, yes, true, on in any case,
// and false for anything else (y, t, garbage): ReadOnly=garbage writes --read-only=false.
// systemd does not unquote either: its parse_boolean takes 1 yes y true t on / 0 no n false f off in any
// case, and refuses anything else, so the setting is ignored (systemd logs it and keeps the default).

import { GO_SPACE } from './parse.ts'

/** How a Quadlet release unquotes a single value. */
export type Unquote = 'none' | 'all' | 'pair'

/** A single value as Quadlet's Lookup() returns it in a release that unquotes `unquote`-wise. */
export function quadletLookup(raw: string, unquote: Unquote): string {
  let v = raw
  while (v !== '' && GO_SPACE.test(v[v.length - 1]!)) v = v.slice(0, -1)
  if (unquote === 'all') return v.replace(/^"+|"+$/g, '')
  if (unquote === 'pair' && v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1)
  return v
}

const QUADLET_TRUE = new Set(['1', 'yes', 'true', 'on'])

/** Quadlet's LookupBoolean(): true only for 1, yes, true, on (any case) once unquoted; anything else is false. */
export function quadletBoolean(raw: string, unquote: Unquote): boolean {
  return QUADLET_TRUE.has(quadletLookup(raw, unquote).toLowerCase())
}

/** True when some release reads it as true, the reading a guard must assume whichever podman runs it: 5.0-5.2's unquoting removes the most. */
export function quadletMaybeTrue(raw: string): boolean {
  return quadletBoolean(raw, 'all')
}

/**
 * The assignment systemd applies for a single-value key: the last one its parser accepts. An invalid one (a
 * quoted number, say: systemd does not unquote OOMScoreAdjust="500") is ignored, so an earlier one stands.
 */
export function systemdEffective<S extends { value: string }>(assignments: readonly S[], valid: (value: string) => boolean): S | undefined {
  for (let i = assignments.length - 1; i >= 0; i--) if (valid(assignments[i]!.value)) return assignments[i]
  return undefined
}

/** OOMScoreAdjust= as parse_oom_score_adjust() takes it: a decimal integer from -1000 to 1000; empty resets it. */
export const validOomScore = (v: string) => v === '' || (/^[+-]?\d+$/.test(v) && Math.abs(Number(v)) <= 1000)

/**
 * MemoryMax= and the like as config_parse_memory_limit() takes them: a size with an optional K..E suffix, a
 * percentage (or per mille, per ten thousand: escaped, as the bundle must stay ASCII), infinity, or empty (the
 * default, no limit).
 */
export const validMemoryLimit = (v: string) => v === '' || /^(infinity|\d+(\.\d+)?[KMGTPE]?|\d+(\.\d+)?[%\u2030\u2031])$/.test(v)
