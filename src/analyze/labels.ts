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

/**
 * A Kubernetes `LabelSelector` (`matchLabels` + `matchExpressions` with In, NotIn, Exists, DoesNotExist).
 * An absent selector (undefined) selects everything; an unknown operator selects nothing.
 */
export function labelSelectorMatches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (selector === undefined || selector === null) return true
  const s = selector as { matchLabels?: unknown; matchExpressions?: unknown }
  const ml =
    s.matchLabels && typeof s.matchLabels === 'object' ? (s.matchLabels as Record<string, unknown>) : {}
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== String(v)) return false
  const exprs = Array.isArray(s.matchExpressions) ? s.matchExpressions : []
  for (const e of exprs) {
    const { key, operator, values } = (e ?? {}) as { key?: unknown; operator?: unknown; values?: unknown }
    const k = String(key ?? '')
    const vals = Array.isArray(values) ? values.map(String) : []
    const has = Object.hasOwn(labels, k)
    if (operator === 'In' && !(has && vals.includes(labels[k] ?? ''))) return false
    if (operator === 'NotIn' && has && vals.includes(labels[k] ?? '')) return false
    if (operator === 'Exists' && !has) return false
    if (operator === 'DoesNotExist' && has) return false
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(String(operator))) return false
  }
  return true
}
