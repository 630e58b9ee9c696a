/** @module proxy/cluster/weighted — the per-request weighted backend pick (Envoy weighted_clusters). */

/** Picks one of weighted backends at random in proportion to the (relative) weights. */
export function pickWeighted<B extends { weight: number }>(b: readonly B[]): B {
  if (b.length === 1) return b[0]!
  let total = 0
  for (const x of b) total += x.weight
  let n = Math.random() * total
  for (const x of b) {
    n -= x.weight
    if (n < 0) return x
  }
  return b[b.length - 1]!
}
