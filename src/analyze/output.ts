/** @module analyze/output — istioctl's three output formats for analysis messages: log lines, JSON, YAML. */
import { stringify } from 'yaml'
import type { Severity } from '../api/diagnostics.ts'
import { formatMessage, friendlyName } from './run.ts'
import type { AnalysisMessage } from './types.ts'

/** Where istioctl's message documentation lives (Istio 1.30). */
export const DOCS_URL = 'https://istio.io/v1.30/docs/reference/config/analysis'

const RANK: Record<Severity, number> = { Info: 0, Warning: 1, Error: 2 }

/** True when `level` is at or above `threshold` (Info < Warning < Error). */
export function atLeast(level: Severity, threshold: Severity): boolean {
  return RANK[level] >= RANK[threshold]
}

/** Parses a threshold as istioctl accepts it (`error`, `Warning`, `INFO`), or undefined when invalid. */
export function parseLevel(s: string): Severity | undefined {
  const l = s.toLowerCase()
  return l === 'error' ? 'Error' : l === 'warning' ? 'Warning' : l === 'info' ? 'Info' : undefined
}

/** The JSON/YAML shape of one message: `{code, documentationUrl, level, message, origin, reference}`. */
export function toStructured(m: AnalysisMessage): Record<string, string> {
  const out: Record<string, string> = { code: m.code }
  if (m.code.startsWith('IST'))
    out.documentationUrl = `${DOCS_URL}/${m.code.toLowerCase()}/?ref=istioctl-analyze`
  out.level = m.level
  out.message = m.text
  if (m.resource) out.origin = friendlyName(m.resource)
  if (m.reference) out.reference = m.reference
  return out
}

/** Renders messages in one of istioctl's formats. */
export function render(messages: readonly AnalysisMessage[], format: 'log' | 'json' | 'yaml'): string {
  if (format === 'json') return JSON.stringify(messages.map(toStructured), null, '\t')
  if (format === 'yaml') return messages.length === 0 ? '[]\n' : stringify(messages.map(toStructured))
  return messages.map(formatMessage).join('\n')
}
