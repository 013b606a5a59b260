/**
 * `xs.map(f)`, built by push. V8's optimising compiler builds the result of `.map` with another elements kind than
 * the builtin the unoptimised code calls, so a hot function handed arrays from both is compiled again ("wrong map"
 * deoptimisations): at thousands of units that is whole recompiles of the generator's largest functions. Arrays
 * passed to them are made here instead, the same kind in every tier.
 */
export function packed<T, U>(xs: readonly T[], f: (x: T) => U): U[] {
  const out: U[] = []
  for (let i = 0; i < xs.length; i++) out.push(f(xs[i]!))
  return out
}
