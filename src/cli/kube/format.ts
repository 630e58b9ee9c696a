/** @module cli/kube/format — kubectl's table layout, ages, and `-o yaml|json|name`. */
import { stringify } from 'yaml'
import type { KubeObject } from '../../controlplane/store/types.ts'

/** kubectl's human-readable age (`45s`, `3m12s`, `5h`, `2d3h`, `400d`). */
export function age(created: string | undefined, now: number = Date.now()): string {
  if (!created) return '<unknown>'
  const t = Date.parse(created)
  if (Number.isNaN(t)) return '<unknown>'
  const s = Math.floor((now - t) / 1000)
  if (s < -1) return '<invalid>'
  if (s < 0) return '0s'
  if (s < 120) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`
  if (m < 180) return `${m}m`
  const h = Math.floor(m / 60)
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`
  if (h < 48) return `${h}h`
  const d = Math.floor(h / 24)
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`
  if (d < 365 * 2) return `${d}d`
  const y = Math.floor(d / 365)
  if (d < 365 * 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`
  return `${y}y`
}

/** Lays out rows as kubectl does: columns left-aligned, three spaces apart, no trailing padding. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = []
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length)
    })
  }
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3)))
        .join('')
        .trimEnd(),
    )
    .map((l) => `${l}\n`)
    .join('')
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k])
    return out
  }
  return v
}

/** `-o yaml` of one object or a list (keys sorted, as kubectl prints them). */
export function toYaml(v: unknown): string {
  return stringify(sortKeys(v), { lineWidth: 0, version: '1.1', indentSeq: false })
}

/** `-o json` (four-space indent, as kubectl). */
export function toJson(v: unknown): string {
  return `${JSON.stringify(v, null, 4)}\n`
}

/** kubectl's `List` wrapper for several objects. */
export function asList(items: readonly KubeObject[]): unknown {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }
}

/** `a=b,c=d` or `<none>`. */
export function labelsText(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(',')
}
