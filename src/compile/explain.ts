/**
 * @module compile/explain — simulates one request against a compiled ProxyConfig (like Istio's
 * `pilot/pkg/simulation`): which listener, virtual host, VirtualService rule and clusters it reaches,
 * with the policies applied, why earlier rules did not match, and what the caller sees when no
 * upstream answers. Uses the proxy's own matcher (`proxyconfig/match.ts`).
 */
import {
  describeMismatch,
  hostWithoutPort,
  matchRoute,
  type RequestView,
  selectVirtualHost,
} from '../proxyconfig/match.ts'
import type {
  Cluster,
  HttpListener,
  Listener,
  ProxyConfig,
  Route,
  RoutePolicy,
  TcpListener,
  WeightedBackend,
} from '../proxyconfig/types.ts'

/** A request to explain. `url` may be `tcp://host:port` for a TCP connection. */
export interface ExplainRequest {
  url: string
  method?: string
  headers?: Record<string, string>
}

/** One destination of the chosen route. */
export interface ExplainedDestination {
  cluster: string
  /** Share of requests, in percent. */
  weight: number
  subset: string | null
  service: string | null
  /** False when the cluster is not in the config (503 NC). */
  exists: boolean
  endpoints: { address: string; port: number; ready: boolean; pod?: string }[]
}

/** A rule that came before the match and why it did not apply. */
export interface SkippedRule {
  virtualService: string | null
  rule: number | null
  match: number | null
  reasons: string[]
  /** `config`: dropped when compiling for this caller (sourceLabels, gateways, port); absent: failed at request time. */
  stage?: 'config'
}

/** What a request does on one proxy. */
export interface Explanation {
  proxy: string
  request: { method: string; authority: string; path: string; port: number; protocol: 'http' | 'tcp' }
  listener: string | null
  /** On a gateway: the Gateway (`namespace/name`) whose server took the request (set by `explain`). */
  gateway: string | null
  routeTable: string | null
  virtualHost: string | null
  virtualService: string | null
  rule: number | null
  match: number | null
  routeName: string | null
  skipped: SkippedRule[]
  action: 'forward' | 'redirect' | 'respond' | 'tcp' | null
  destinations: ExplainedDestination[]
  policies: {
    timeoutMs?: number
    retries?: {
      attempts: number
      retryOn: string[]
      retriableStatusCodes: number[]
      perTryTimeoutMs?: number
    }
    fault?: RoutePolicy['fault']
    mirrors?: { cluster: string; percentage: number }[]
    rewrite?: RoutePolicy['rewrite']
    hashPolicy?: RoutePolicy['hashPolicy']
  }
  redirect?: { status: number; location: string }
  /** What the caller gets without reaching an upstream (404 NR, 503 NC, 503 UH, 502, …), null when routed. */
  status: number | null
  flags: string | null
  summary: string
}

function parseUrl(raw: string): { scheme: string; host: string; port: number; path: string } | undefined {
  try {
    const u = new URL(raw.includes('://') ? raw : `http://${raw}`)
    const scheme = u.protocol.replace(':', '')
    const port = u.port ? Number(u.port) : scheme === 'https' ? 443 : 80
    return { scheme, host: u.hostname, port, path: `${u.pathname || '/'}${u.search}` }
  } catch {
    return undefined
  }
}

function subsetOf(cluster: string): string | null {
  const parts = cluster.split('|')
  return parts.length === 4 && parts[2] ? (parts[2] ?? null) : null
}

function destination(config: ProxyConfig, b: WeightedBackend, total: number): ExplainedDestination {
  const c: Cluster | undefined = config.clusters[b.cluster]
  return {
    cluster: b.cluster,
    weight: total > 0 ? Math.round((b.weight / total) * 10000) / 100 : 0,
    subset: c?.subset ?? subsetOf(b.cluster),
    service: c?.service?.host ?? null,
    exists: c !== undefined,
    endpoints: (c?.endpoints ?? []).map((e) => ({
      address: e.address,
      port: e.port,
      ready: e.ready,
      ...(e.workload?.pod ? { pod: e.workload.pod } : {}),
    })),
  }
}

/** 503 NC / 503 UH when every destination fails that way; null otherwise. */
function outcome(
  config: ProxyConfig,
  dests: ExplainedDestination[],
): { status: number | null; flags: string | null } {
  if (dests.length === 0) return { status: 503, flags: 'NC' }
  if (dests.every((d) => !d.exists)) return { status: 503, flags: 'NC' }
  const noHealthy = (d: ExplainedDestination): boolean => {
    const c = config.clusters[d.cluster]
    return !!c && (c.type === 'eds' || c.type === 'dns') && !c.endpoints.some((e) => e.ready)
  }
  if (dests.every((d) => !d.exists || noHealthy(d)))
    return { status: 503, flags: dests.some((d) => !d.exists) ? 'NC' : 'UH' }
  return { status: null, flags: null }
}

function policies(p: RoutePolicy): Explanation['policies'] {
  const out: Explanation['policies'] = {}
  if (p.timeoutMs !== undefined) out.timeoutMs = p.timeoutMs
  if (p.retry)
    out.retries = {
      attempts: p.retry.numRetries,
      retryOn: p.retry.retryOn,
      retriableStatusCodes: p.retry.retriableStatusCodes,
      ...(p.retry.perTryTimeoutMs !== undefined ? { perTryTimeoutMs: p.retry.perTryTimeoutMs } : {}),
    }
  if (p.fault) out.fault = p.fault
  if (p.mirrors) out.mirrors = p.mirrors.map((m) => ({ cluster: m.cluster, percentage: m.percentage }))
  if (p.rewrite) out.rewrite = p.rewrite
  if (p.hashPolicy) out.hashPolicy = p.hashPolicy
  return out
}

function findListener(config: ProxyConfig, host: string, port: number, tcp: boolean): Listener | undefined {
  const outbound = config.listeners.filter((l) => l.direction !== 'inbound')
  const byAddr = outbound.find((l) => l.address === host && l.port === port)
  if (byAddr) return byAddr
  if (tcp) {
    const bySvc = outbound.find(
      (l) =>
        l.protocol === 'tcp' &&
        l.port === port &&
        l.service &&
        (l.service.host === host ||
          host === l.service.name ||
          host.startsWith(`${l.service.name}.${l.service.namespace}`)),
    )
    if (bySvc) return bySvc
  }
  return (
    outbound.find(
      (l) => l.address === '0.0.0.0' && l.port === port && (tcp ? true : l.protocol === 'http'),
    ) ?? outbound.find((l) => l.address === '0.0.0.0' && l.port === port)
  )
}

/** Explains one request (or TCP connection, `tcp://host:port`) against a compiled config. */
export function explainRequest(config: ProxyConfig, req: ExplainRequest): Explanation {
  const u = parseUrl(req.url)
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v
  const tcp = u?.scheme === 'tcp'
  const authority =
    headers.host ?? (u ? (u.port === 80 || u.port === 443 ? u.host : `${u.host}:${u.port}`) : '')
  const base: Explanation = {
    proxy: config.node.id,
    request: {
      method: (req.method ?? 'GET').toUpperCase(),
      authority,
      path: u?.path ?? '/',
      port: u?.port ?? 80,
      protocol: tcp ? 'tcp' : 'http',
    },
    listener: null,
    gateway: null,
    routeTable: null,
    virtualHost: null,
    virtualService: null,
    rule: null,
    match: null,
    routeName: null,
    skipped: [],
    action: null,
    destinations: [],
    policies: {},
    status: null,
    flags: null,
    summary: '',
  }
  if (!u) return { ...base, summary: `cannot parse URL ${JSON.stringify(req.url)}` }
  const listener = findListener(config, u.host, u.port, tcp)
  if (!listener) {
    const gw = config.node.role === 'gateway'
    const summary = gw
      ? `no listener on port ${u.port}: the gateway refuses the connection`
      : `no listener for ${u.host}:${u.port}`
    return { ...base, status: null, flags: gw ? 'NoListener' : null, summary }
  }
  base.listener = listener.name
  // HTTPS from a sidecar is opaque TLS: the TCP listener routes it by SNI.
  if (listener.protocol === 'tcp')
    return explainTcp(config, listener, u.host, { ...base, request: { ...base.request, protocol: 'tcp' } })
  return explainHttp(config, listener, headers, base)
}

function explainTcp(config: ProxyConfig, l: TcpListener, host: string, base: Explanation): Explanation {
  for (const r of l.routes) {
    const sni = r.match.sniHosts
    if (sni && !sni.some((h) => (h.startsWith('*') ? host.endsWith(h.slice(1)) : h === host))) {
      base.skipped.push({
        virtualService: r.origin?.virtualService || null,
        rule: r.origin?.rule ?? null,
        match: r.origin?.match ?? null,
        reasons: [`SNI ${host} not in ${sni.join(', ')}`],
      })
      continue
    }
    if (r.match.destinationSubnets) continue
    const total = r.backends.reduce((a, b) => a + b.weight, 0)
    const dests = r.backends.map((b) => destination(config, b, total))
    return {
      ...base,
      virtualService: r.origin?.virtualService || null,
      rule: r.origin?.rule ?? null,
      match: r.origin?.match ?? null,
      action: 'tcp',
      destinations: dests,
      ...outcome(config, dests),
      summary: `TCP route ${r.origin?.virtualService ?? ''} tcp[${r.origin?.rule ?? 0}]`,
    }
  }
  const d = destination(config, { cluster: l.defaultCluster, weight: 1 }, 1)
  const blackhole = l.defaultCluster === 'BlackHoleCluster'
  return {
    ...base,
    action: 'tcp',
    destinations: [d],
    ...(blackhole ? { status: null, flags: 'UH' } : outcome(config, [d])),
    summary: blackhole
      ? 'no TCP route: BlackHoleCluster resets the connection'
      : `no TCP route matched: falls through to ${l.defaultCluster}`,
  }
}

function explainHttp(
  config: ProxyConfig,
  l: HttpListener,
  headers: Record<string, string>,
  base: Explanation,
): Explanation {
  const table = config.routeTables[l.routeTable]
  base.routeTable = l.routeTable
  const view: RequestView = {
    path: base.request.path,
    method: base.request.method,
    scheme: 'http',
    authority: base.request.authority,
    headers: { ...headers, host: base.request.authority },
  }
  const vh = table ? selectVirtualHost(table.virtualHosts, base.request.authority) : undefined
  if (!vh) {
    return {
      ...base,
      status: 404,
      flags: 'NR',
      summary: `no virtual host for ${hostWithoutPort(base.request.authority)}`,
    }
  }
  base.virtualHost = vh.name
  let chosen: Route | undefined
  for (const r of vh.routes) {
    if (matchRoute(r.match, view)) {
      chosen = r
      break
    }
    base.skipped.push({
      virtualService: r.origin?.virtualService || null,
      rule: r.origin?.rule ?? null,
      match: r.origin?.match ?? null,
      reasons: describeMismatch(r.match, view),
    })
  }
  if (!chosen) return { ...base, status: 404, flags: 'NR', summary: `no route of ${vh.name} matches` }
  const at = {
    ...base,
    virtualService: chosen.origin?.virtualService || null,
    rule: chosen.origin?.virtualService ? (chosen.origin.rule ?? null) : null,
    match: chosen.origin?.match ?? null,
    routeName: chosen.origin?.name ?? null,
    policies: policies(chosen.policy),
  }
  const a = chosen.action
  if (a.kind === 'respond') {
    const blocked = vh.name === 'block_all'
    return {
      ...at,
      action: 'respond',
      status: a.status,
      flags: blocked ? 'REGISTRY_ONLY' : null,
      summary: blocked
        ? 'host not in the service registry and outboundTrafficPolicy is REGISTRY_ONLY: 502'
        : `direct response ${a.status}`,
    }
  }
  if (a.kind === 'redirect') {
    const host = a.authority ?? hostWithoutPort(base.request.authority)
    const port = typeof a.port === 'number' ? `:${a.port}` : ''
    const location = `${a.scheme ?? 'http'}://${host}${port}${a.path ?? base.request.path}`
    return {
      ...at,
      action: 'redirect',
      status: a.status,
      redirect: { status: a.status, location },
      summary: `redirect ${a.status} to ${location}`,
    }
  }
  const total = a.backends.reduce((s, b) => s + b.weight, 0)
  const dests = a.backends.map((b) => destination(config, b, total))
  const res = outcome(config, dests)
  const where = at.virtualService ? `${at.virtualService} http[${at.rule}]` : 'the default route'
  const summary =
    res.status === null
      ? `${where} → ${dests.map((d) => `${d.cluster} (${d.weight}%)`).join(', ')}`
      : `${where} → ${res.status} ${res.flags}`
  return { ...at, action: 'forward', destinations: dests, ...res, summary }
}
