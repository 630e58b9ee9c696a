/** @module model/duration — protobuf/Go durations as users write them (`1.5s`, `500ms`, `1m`, `1h`). */

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000001,
}

/** Milliseconds of a duration string (`2s`, `0.5s`, `1m30s`, `500ms`); undefined when unparseable. */
export function parseDurationMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v * 1000
  if (typeof v !== 'string') return undefined
  const s = v.trim()
  if (s === '') return undefined
  if (s === '0') return 0
  const re = /(\d+(?:\.\d+)?|\.\d+)(h|ms|m|s|us|µs|ns)/gy
  let total = 0
  let pos = 0
  for (;;) {
    re.lastIndex = pos
    const m = re.exec(s)
    if (!m) break
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN)
    pos = re.lastIndex
  }
  if (pos !== s.length || pos === 0 || !Number.isFinite(total)) return undefined
  return Math.round(total * 1000) / 1000
}
