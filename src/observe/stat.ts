/**
 * @module observe/stat — Linkerd-style golden metrics (success rate, RPS, latency percentiles, open TCP
 * connections) per workload, service or pod, from two scrapes of the proxies' Istio metrics.
 * Only `reporter="destination"` series count: what each server-side sidecar saw arrive.
 */

import type { ProxyNode } from '../xds/protocol.ts'
import { splitProxyId } from '../xds/protocol.ts'
import type { Sample } from './prom-text.ts'
import { histogramQuantile } from './quantile.ts'

/** What `weir stat` groups by: Linkerd's `deploy`, `svc`, `po`. */
export type StatKind = 'deploy' | 'svc' | 'pod'

/** One row of `weir stat`. Null where there was no traffic in the window. */
export interface StatRow {
  name: string
  namespace: string
  /** Destination versions seen (or the proxies' `version` labels). */
  versions: string[]
  meshed: { ready: number; total: number }
  /** Requests in the window (the counters' increase). */
  requests: number
  /** Non-5xx share of `requests` (0..1), as Kiali's and Flagger's `response_code!~"5.*"`. */
  success: number | null
  /** Requests per second (null when the window is the proxies' lifetime). */
  rps: number | null
  latencyMs: { p50: number | null; p95: number | null; p99: number | null }
  /** Open inbound TCP connections at the end of the window. */
  tcpConnections: number
}

/** One proxy's samples at the start (undefined: count from zero) and end of the window. */
export interface ProxyWindow {
  node: ProxyNode
  before?: Sample[] | undefined
  after: Sample[]
}

const key = (s: Sample): string =>
  `${s.name}{${Object.entries(s.labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(',')}}`

/** Counter increases between two scrapes; a counter that went down (proxy restarted) counts from zero. */
export function increases(before: Sample[] | undefined, after: Sample[]): Sample[] {
  const prev = new Map<string, number>()
  for (const s of before ?? []) prev.set(key(s), s.value)
  return after.map((s) => {
    const p = prev.get(key(s)) ?? 0
    return { ...s, value: s.value >= p ? s.value - p : s.value }
  })
}

interface Group {
  name: string
  namespace: string
  versions: Set<string>
  proxies: Set<string>
  requests: number
  failures: number
  buckets: Map<number, number>
  opened: number
  closed: number
}

function groupKeyOf(kind: StatKind, node: ProxyNode, l: Record<string, string>): [string, string] {
  if (kind === 'pod') {
    const { name, namespace } = splitProxyId(node.id)
    return [name, node.namespace ?? namespace]
  }
  if (kind === 'svc')
    return [l.destination_service_name ?? 'unknown', l.destination_service_namespace ?? 'unknown']
  return [l.destination_workload ?? 'unknown', l.destination_workload_namespace ?? 'unknown']
}

/** The group a proxy belongs to even without traffic (deploy: its workload; pod: itself; svc: none). */
function homeOf(kind: StatKind, node: ProxyNode): [string, string] | undefined {
  if (node.role === 'gateway') return undefined
  const { name, namespace } = splitProxyId(node.id)
  const ns = node.namespace ?? namespace
  if (kind === 'pod') return [name, ns]
  if (kind === 'deploy') return [node.workload ?? name, ns]
  return undefined
}

/** A pod the control plane knows of (from the store), for the MESHED column. */
export interface PodRef {
  pod: string
  namespace: string
  /** Its Deployment (Istio's workload name). */
  workload: string
}

/**
 * Computes the rows over the window; `seconds` 0 means the counters are totals (no RPS). With `pods`,
 * MESHED is connected proxies / pods of the workload (pods without a connected proxy get rows too);
 * for services MESHED is not applicable (`-`), as in Linkerd.
 */
export function computeStat(
  kind: StatKind,
  windows: readonly ProxyWindow[],
  seconds: number,
  filter: { name?: string; namespace?: string } = {},
  pods?: readonly PodRef[],
): StatRow[] {
  const groups = new Map<string, Group>()
  const get = (name: string, namespace: string): Group => {
    const k = `${namespace}/${name}`
    let g = groups.get(k)
    if (!g) {
      g = {
        name,
        namespace,
        versions: new Set(),
        proxies: new Set(),
        requests: 0,
        failures: 0,
        buckets: new Map(),
        opened: 0,
        closed: 0,
      }
      groups.set(k, g)
    }
    return g
  }
  for (const w of windows) {
    const home = homeOf(kind, w.node)
    if (home) {
      const g = get(...home)
      g.proxies.add(w.node.id)
      const v = w.node.labels?.version
      if (v) g.versions.add(v)
    }
    for (const s of increases(w.before, w.after)) {
      const l = s.labels
      if (l.reporter !== 'destination') continue
      const g = get(...groupKeyOf(kind, w.node, l))
      if (l.destination_version && l.destination_version !== 'unknown') g.versions.add(l.destination_version)
      if (s.name === 'istio_requests_total') {
        g.requests += s.value
        if ((l.response_code ?? '').startsWith('5')) g.failures += s.value
      } else if (s.name === 'istio_request_duration_milliseconds_bucket') {
        const le = l.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(l.le)
        g.buckets.set(le, (g.buckets.get(le) ?? 0) + s.value)
      }
    }
    // Open connections are a level, not a rate: opened − closed at the end of the window.
    for (const s of w.after) {
      if (s.labels.reporter !== 'destination') continue
      if (s.name !== 'istio_tcp_connections_opened_total' && s.name !== 'istio_tcp_connections_closed_total')
        continue
      const g = get(...groupKeyOf(kind, w.node, s.labels))
      if (s.name.includes('opened')) g.opened += s.value
      else g.closed += s.value
    }
  }
  const podTotals = new Map<string, number>()
  if (pods && kind !== 'svc')
    for (const p of pods) {
      const [name, ns] = kind === 'pod' ? [p.pod, p.namespace] : [p.workload, p.namespace]
      get(name, ns)
      podTotals.set(`${ns}/${name}`, (podTotals.get(`${ns}/${name}`) ?? 0) + 1)
    }
  const rows: StatRow[] = []
  for (const g of groups.values()) {
    if (filter.name !== undefined && g.name !== filter.name) continue
    if (filter.namespace !== undefined && g.namespace !== filter.namespace) continue
    const buckets = [...g.buckets].map(([le, count]) => ({ le, count }))
    const q = (p: number): number | null => (g.requests > 0 ? (histogramQuantile(p, buckets) ?? null) : null)
    const ready = kind === 'svc' ? 0 : g.proxies.size
    const total = kind === 'svc' ? 0 : Math.max(ready, podTotals.get(`${g.namespace}/${g.name}`) ?? 0)
    rows.push({
      name: g.name,
      namespace: g.namespace,
      versions: [...g.versions].sort(),
      meshed: { ready, total },
      requests: g.requests,
      success: g.requests > 0 ? (g.requests - g.failures) / g.requests : null,
      rps: seconds > 0 ? g.requests / seconds : null,
      latencyMs: { p50: q(0.5), p95: q(0.95), p99: q(0.99) },
      tcpConnections: Math.max(0, g.opened - g.closed),
    })
  }
  return rows.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))
}
