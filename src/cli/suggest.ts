/** Edit distance (insertions, deletions, substitutions, adjacent swaps), for did-you-mean. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1)
    }
  }
  return d[a.length]![b.length]!
}

/** The closest of `known` to a mistyped `word`, if it is close enough to be what was meant. */
export function closest(word: string, known: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3))
  let best: string | undefined
  let bestDistance = Infinity
  for (const k of known) {
    const dist = k.startsWith(word) && word.length >= 2 ? 0.5 : distance(word, k)
    if (dist < bestDistance) [best, bestDistance] = [k, dist]
  }
  return bestDistance <= limit ? best : undefined
}

export const didYouMean = (word: string, known: readonly string[]) => {
  const match = closest(word, known)
  return match === undefined ? '' : ` (did you mean ${match}?)`
}
