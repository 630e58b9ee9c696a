/** @module observe/format — text tables of `weir stat`, `weir top` and `weir traces`, in Linkerd viz's shapes. */
import { formatTable } from '../cli/format/table.ts'
import type { StatRow } from './stat.ts'
import type { TopRow } from './top.ts'
import type { TraceSummary } from './trace-store.ts'

const ms = (v: number | null): string =>
  v === null ? '-' : `${v < 10 ? Number(v.toFixed(1)) : Math.round(v)}ms`
const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(2)}%`)

/** `NAME MESHED SUCCESS RPS LATENCY_P50 LATENCY_P95 LATENCY_P99 TCP_CONN`, as `linkerd viz stat`. */
export function formatStat(rows: readonly StatRow[], allNamespaces: boolean): string {
  if (rows.length === 0) return 'No traffic found.\n'
  const head = ['NAME', 'MESHED', 'SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P95', 'LATENCY_P99', 'TCP_CONN']
  return formatTable(
    allNamespaces ? ['NAMESPACE', ...head] : head,
    rows.map((r) => {
      const cells = [
        r.name,
        r.meshed.total === 0 ? '-' : `${r.meshed.ready}/${r.meshed.total}`,
        pct(r.success),
        r.rps === null ? `${r.requests}req` : `${r.rps.toFixed(1)}rps`,
        ms(r.latencyMs.p50),
        ms(r.latencyMs.p95),
        ms(r.latencyMs.p99),
        String(r.tcpConnections),
      ]
      return allNamespaces ? [r.namespace, ...cells] : cells
    }),
  )
}

/** `SOURCE DESTINATION METHOD PATH COUNT BEST WORST LAST SUCCESS_RATE`, as `linkerd viz top`. */
export function formatTop(rows: readonly TopRow[]): string {
  if (rows.length === 0)
    return 'No requests seen (spans are recorded for sampled requests: mesh tracing sampling).\n'
  return formatTable(
    ['SOURCE', 'DESTINATION', 'METHOD', 'PATH', 'COUNT', 'BEST', 'WORST', 'LAST', 'SUCCESS_RATE'],
    rows.map((r) => [
      r.source,
      r.destination,
      r.method,
      r.path,
      String(r.count),
      ms(r.bestMs),
      ms(r.worstMs),
      ms(r.lastMs),
      pct(r.success),
    ]),
  )
}

/** One block per trace: its id, root, duration, then one indented line per hop. */
export function formatTraces(traces: readonly TraceSummary[]): string {
  if (traces.length === 0)
    return 'No traces yet (proxies export sampled requests; force one with header x-envoy-force-trace).\n'
  const out: string[] = []
  for (const t of traces) {
    out.push(`TRACE ${t.traceId}  ${t.start}  ${ms(t.durationMs)}  ${t.root}${t.error ? '  ERROR' : ''}`)
    const depth = new Map<string, number>()
    for (const h of t.hops) {
      const d = h.parentId !== undefined && depth.has(h.parentId) ? depth.get(h.parentId)! + 1 : 0
      depth.set(h.spanId, d)
    }
    out.push(
      formatTable(
        ['  HOP', 'SERVICE', 'KIND', 'START', 'DURATION', 'CODE', 'FLAGS', 'ROUTE'],
        t.hops.map((h) => [
          `  ${'  '.repeat(depth.get(h.spanId) ?? 0)}${h.operation}`,
          h.service,
          h.kind,
          `+${ms(h.offsetMs)}`,
          ms(h.durationMs),
          h.statusCode,
          h.responseFlags,
          h.route,
        ]),
      ).trimEnd(),
    )
  }
  return `${out.join('\n')}\n`
}
