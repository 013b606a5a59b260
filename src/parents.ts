/**
 * Adds to `into` every directory above `path` (its prefixes that end before a '/'), walking up until one is
 * already there. A set filled this way holds every parent of what it holds, so adding a batch of paths costs
 * their total length, however many there are (a check of each path against every other would be quadratic).
 */
export function addParents(into: Set<string>, path: string): void {
  for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
    const parent = path.slice(0, slash)
    if (into.has(parent)) return
    into.add(parent)
  }
}
