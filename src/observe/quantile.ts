/** @module observe/quantile — `histogram_quantile` over cumulative buckets, as Prometheus computes it. */

/** One cumulative bucket: upper bound `le` and the count of observations at or below it. */
export interface Bucket {
  le: number
  count: number
}

/**
 * The q-quantile (0..1) of a histogram given as cumulative buckets (any order; `+Inf` included), by
 * linear interpolation inside the bucket that holds the rank, as PromQL's `histogram_quantile`. Returns
 * undefined for an empty histogram. A rank in the `+Inf` bucket gives the highest finite bound.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number | undefined {
  const sorted = [...buckets].sort((a, b) => a.le - b.le)
  const last = sorted[sorted.length - 1]
  if (!last || last.le !== Number.POSITIVE_INFINITY || last.count <= 0) return undefined
  const rank = q * last.count
  let i = sorted.findIndex((b) => b.count >= rank)
  if (i < 0) i = sorted.length - 1
  const b = sorted[i]!
  if (b.le === Number.POSITIVE_INFINITY) return sorted.length > 1 ? sorted[sorted.length - 2]!.le : undefined
  const lower = i === 0 ? 0 : sorted[i - 1]!.le
  const below = i === 0 ? 0 : sorted[i - 1]!.count
  const inBucket = b.count - below
  if (inBucket <= 0) return b.le
  return lower + (b.le - lower) * ((rank - below) / inBucket)
}
