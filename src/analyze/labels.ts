/** @module analyze/labels — Kubernetes equality-based label selectors (`matchLabels` / `selector` maps). */

/** Kubernetes' printed form of a selector: keys sorted, `k=v` joined by commas ('' when empty). */
export function selectorString(selector: Readonly<Record<string, string>>): string {
  return Object.keys(selector)
    .sort()
    .map((k) => `${k}=${selector[k]}`)
    .join(',')
}

/** True when every `key=value` of the selector is among the labels (an empty selector selects everything). */
export function selects(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false
  return true
}
