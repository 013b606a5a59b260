import { distance } from '../config/messages.ts'
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
