/** @module observe/window — parses `--window` durations (`30s`, `1m`, `500ms`, `0`), bounded. */

/** Longest window a stat request may hold the connection open. */
export const MAX_WINDOW_MS = 5 * 60_000

/** Milliseconds of `text`, or an error naming the value. `0` means "since each proxy started". */
export function parseWindow(text: string): { ok: true; ms: number } | { ok: false; error: string } {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim())
  if (!m) return { ok: false, error: `window ${JSON.stringify(text)}: want a duration like 30s, 1m or 500ms` }
  const n = Number(m[1])
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000
  if (ms > MAX_WINDOW_MS) return { ok: false, error: `window ${text}: at most 5m` }
  return { ok: true, ms: Math.round(ms) }
}
