/** @module cli/format/duration — parses `--timeout` values: `30s`, `500ms`, `2m`, `1h`, or plain seconds. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (!m) return undefined
  return Math.round(Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000))
}
