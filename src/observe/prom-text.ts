/** @module observe/prom-text — parses Prometheus text exposition (what a proxy's `/stats/prometheus` serves) into samples. */

/** One sample: metric name (with `_bucket`/`_sum`/`_count` suffix), labels, value. */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?\s*$/
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y

function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
}

function parseLabels(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {}
  LABEL.lastIndex = 0
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex
    const m = LABEL.exec(text)
    if (!m) return text.slice(start).trim() === '' ? out : undefined
    out[m[1]!] = unescapeLabel(m[2]!)
  }
  return out
}

/** Parses exposition text; comment lines and lines it cannot read are skipped. Never throws. */
export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const m = LINE.exec(line)
    if (!m) continue
    const labels = m[3] === undefined ? {} : parseLabels(m[3])
    if (!labels) continue
    const value = m[4] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[4])
    if (Number.isNaN(value)) continue
    out.push({ name: m[1]!, labels, value })
  }
  return out
}
