/** @module analyze/values — safe readers for user-written JSON (anything may be missing or of the wrong type). */

/** A plain object, or `{}` when the value is not one. */
export function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}

/** A list, or `[]` when the value is not one. */
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

/** A string, or '' when the value is not one. */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

/** A list of strings (other entries dropped). */
export function strs(v: unknown): string[] {
  return arr(v).filter((x): x is string => typeof x === 'string')
}

/** A string map such as labels (non-string values are printed as strings, as YAML users expect). */
export function labelsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, x] of Object.entries(obj(v))) {
    if (x !== null && x !== undefined && typeof x !== 'object') out[k] = String(x)
  }
  return out
}

/** A number, or undefined. Numeric strings count ("8080"), as Kubernetes int-or-string does. */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v)
  return undefined
}
