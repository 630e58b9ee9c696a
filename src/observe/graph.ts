/**
 * @module observe/graph — a Kiali-style versioned-app graph from the proxies' `istio_requests_total`:
 * nodes per app+version, edges with request rate, traffic share of the source's requests, health by
 * Kiali's default 5xx thresholds (≥0.1% degraded, ≥10% failure) and whether the hop used mutual TLS.
 */
import type { Sample } from './prom-text.ts'
import { increases, type ProxyWindow } from './stat.ts'

/** Kiali's health: healthy, degraded, failure, or idle (no traffic in the window). */
export type Health = 'healthy' | 'degraded' | 'failure' | 'idle'

/** A node: one version of one app (or a service with no app label). */
export interface GraphNode {
  id: string
  app: string
  version: string
  namespace: string
  health: Health
  /** Requests into this node in the window. */
  requests: number
}

/** A directed edge between two nodes. */
export interface GraphEdge {
  source: string
  target: string
  requests: number
  errors: number
  /** Requests per second (null when the window is the proxies' lifetime). */
  rps: number | null
  /** Share (0..100) of the source node's requests that took this edge (Kiali's `httpPercentReq`). */
  percent: number
  health: Health
  mtls: boolean
}

/** The graph. */
export interface Graph {
  windowSeconds: number
  nodes: GraphNode[]
  edges: GraphEdge[]
}

/** Kiali's default HTTP thresholds on the 5xx share, in percent. */
export function healthOf(requests: number, errors: number): Health {
  if (requests === 0) return 'idle'
  const pct = (errors / requests) * 100
  return pct >= 10 ? 'failure' : pct >= 0.1 ? 'degraded' : 'healthy'
}

const known = (v: string | undefined): string | undefined => (v && v !== 'unknown' ? v : undefined)

function end(
  l: Record<string, string>,
  side: 'source' | 'destination',
): { id: string; app: string; version: string; namespace: string } {
  const ns =
    known(l[`${side}_workload_namespace`]) ??
    (side === 'destination' ? known(l.destination_service_namespace) : undefined) ??
    'unknown'
  const app =
    known(l[`${side}_app`]) ??
    known(l[`${side}_canonical_service`]) ??
    (side === 'destination' ? known(l.destination_service_name) : undefined) ??
    'unknown'
  const version = known(l[`${side}_version`]) ?? (app === 'unknown' ? '' : 'unknown')
  return { id: `${ns}/${app}/${version}`, app, version, namespace: ns }
}

/** Builds the graph; `seconds` 0 means the counters are totals. `namespace` keeps edges touching it. */
export function computeGraph(windows: readonly ProxyWindow[], seconds: number, namespace?: string): Graph {
  const nodes = new Map<string, GraphNode>()
  const edges = new Map<string, GraphEdge & { errors: number }>()
  const mtls = new Set<string>()
  const node = (e: ReturnType<typeof end>): void => {
    if (!nodes.has(e.id)) nodes.set(e.id, { ...e, health: 'idle', requests: 0 })
  }
  const all: Sample[] = []
  for (const w of windows)
    all.push(...increases(w.before, w.after).filter((s) => s.name === 'istio_requests_total'))
  for (const s of all) {
    const l = s.labels
    const src = end(l, 'source')
    const dst = end(l, 'destination')
    // Each request once: the client's report when the client has a sidecar, else the server's.
    const counted = l.reporter === 'source' || (l.reporter === 'destination' && !hasSourceReport(all, l))
    if (l.reporter === 'destination' && l.connection_security_policy === 'mutual_tls')
      mtls.add(`${src.id}>${dst.id}`)
    if (!counted) continue
    if (namespace && src.namespace !== namespace && dst.namespace !== namespace) continue
    node(src)
    node(dst)
    const k = `${src.id}>${dst.id}`
    let e = edges.get(k)
    if (!e) {
      e = {
        source: src.id,
        target: dst.id,
        requests: 0,
        errors: 0,
        rps: null,
        percent: 0,
        health: 'idle',
        mtls: false,
      }
      edges.set(k, e)
    }
    e.requests += s.value
    if ((l.response_code ?? '').startsWith('5') || l.response_code === '0') e.errors += s.value
  }
  const outTotal = new Map<string, number>()
  for (const e of edges.values()) outTotal.set(e.source, (outTotal.get(e.source) ?? 0) + e.requests)
  for (const e of edges.values()) {
    const total = outTotal.get(e.source) ?? 0
    e.percent = total > 0 ? Math.round((e.requests / total) * 1000) / 10 : 0
    e.rps = seconds > 0 ? e.requests / seconds : null
    e.health = healthOf(e.requests, e.errors)
    e.mtls = mtls.has(`${e.source}>${e.target}`)
    const n = nodes.get(e.target)
    if (n) n.requests += e.requests
  }
  for (const n of nodes.values()) {
    const inbound = [...edges.values()].filter((e) => e.target === n.id)
    n.health = healthOf(
      inbound.reduce((a, e) => a + e.requests, 0),
      inbound.reduce((a, e) => a + e.errors, 0),
    )
  }
  return {
    windowSeconds: seconds,
    nodes: [...nodes.values()].sort((a, b) => a.id.localeCompare(b.id)),
    edges: [...edges.values()].sort((a, b) =>
      `${a.source}>${a.target}`.localeCompare(`${b.source}>${b.target}`),
    ),
  }
}

/** True when some client sidecar reported the same source→destination request series. */
function hasSourceReport(all: readonly Sample[], l: Record<string, string>): boolean {
  if (known(l.source_workload) === undefined) return false
  return all.some(
    (s) =>
      s.labels.reporter === 'source' &&
      s.labels.source_workload === l.source_workload &&
      s.labels.source_workload_namespace === l.source_workload_namespace &&
      s.labels.destination_workload === l.destination_workload &&
      s.labels.destination_service === l.destination_service,
  )
}
