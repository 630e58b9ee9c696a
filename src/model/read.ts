/** @module model/read — total accessors over user JSON (never throw on a wrong shape). */

/** A plain object, or undefined. */
export function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
}

/** An array, or []. */
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

/** A string, or undefined. Numbers and booleans are stringified (YAML `version: 1.0` → "1"). */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return undefined
}

/** A finite number (numeric strings accepted), or undefined. */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v)
  return undefined
}

/** A string → string map (non-string values stringified, others dropped). */
export function strMap(v: unknown): Record<string, string> {
  const o = obj(v)
  const out: Record<string, string> = {}
  if (!o) return out
  for (const k of Object.keys(o).sort()) {
    const s = str(o[k])
    if (s !== undefined) out[k] = s
  }
  return out
}

/** A list of strings (non-strings dropped). */
export function strList(v: unknown): string[] {
  return arr(v)
    .map(str)
    .filter((s): s is string => s !== undefined)
}

/** True when every label of `selector` is in `labels` with the same value (empty selector ⇒ true). */
export function labelsMatch(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false
  return true
}
