/** @module samples/voting-analytics/text — the analytics `text` in its two formats. */

/** 1.0: `Cats: a | Dogs: b`. */
export function countsText(names: readonly [string, string], counts: readonly [number, number]): string {
  return `${names[0]}: ${counts[0]} | ${names[1]}: ${counts[1]}`
}

/** Percentage as JS `toFixed(0)` of `100·n/total`, and `0` when `n` is 0. */
export function percent(n: number, total: number): string {
  return n === 0 ? '0' : ((n / total) * 100).toFixed(0)
}

/** 1.1 and 2.0: `Cats: a/t (p%) | Dogs: b/t (q%)`. */
export function percentText(names: readonly [string, string], counts: readonly [number, number]): string {
  const t = counts[0] + counts[1]
  return (
    `${names[0]}: ${counts[0]}/${t} (${percent(counts[0], t)}%) | ` +
    `${names[1]}: ${counts[1]}/${t} (${percent(counts[1], t)}%)`
  )
}
