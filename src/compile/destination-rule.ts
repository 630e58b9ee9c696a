/** @module compile/destination-rule — DestinationRule lookup, merging and traffic policy per port/subset. */
import { parseDurationMs } from '../model/duration.ts'
import { hostCovers } from '../model/host.ts'
import { arr, labelsMatch, num, obj, str, strMap } from '../model/read.ts'
import type { ConfigEntry, Service } from '../model/types.ts'
import type { CircuitBreaker, HashPolicy, LoadBalancer, OutlierDetection } from '../proxyconfig/types.ts'
import { type CompileContext, configVisible, memo, resolve } from './context.ts'

/** A DestinationRule as it applies to one host: merged subsets and top-level policy. */
export interface EffectiveRule {
  /** `name.namespace` of the rules merged, oldest first. */
  keys: string[]
  policy?: Record<string, unknown>
  subsets: { name: string; labels: Record<string, string>; policy?: Record<string, unknown> }[]
}

/**
 * The DestinationRule for a host as seen by this proxy: candidates whose host covers it, preferring the
 * client namespace, then the service namespace, then the root namespace; exact host over wildcard;
 * rules for the same host in that namespace merge (subsets concatenated, first subset name and first
 * top-level trafficPolicy win).
 */
export function ruleFor(ctx: CompileContext, svc: Service): EffectiveRule | undefined {
  return memo(ctx, `rule|${svc.source}|${svc.host}`, () => computeRule(ctx, svc))
}

/** DestinationRules this proxy may use, with their resolved hosts (once per compilation). */
function usableRules(ctx: CompileContext): { d: ConfigEntry; host: string }[] {
  return memo(ctx, 'usable-drs', () =>
    ctx.snapshot.destinationRules
      .filter((d) => configVisible(d, ctx.node.namespace) || d.namespace === ctx.node.namespace)
      .filter((d) => selectsNode(ctx, d))
      .map((d) => ({ d, host: resolve(ctx, str(d.spec.host) ?? '', d.namespace) }))
      .filter((c) => c.host !== ''),
  )
}

function computeRule(ctx: CompileContext, svc: Service): EffectiveRule | undefined {
  const root = ctx.snapshot.mesh.rootNamespace
  const nsRank = (ns: string): number =>
    ns === ctx.node.namespace ? 0 : ns === svc.namespace ? 1 : ns === root ? 2 : 3
  const cands = usableRules(ctx).filter(
    (c) => c.host === svc.host || (c.host.startsWith('*') && hostCovers(c.host, svc.host)),
  )
  if (cands.length === 0) return undefined
  cands.sort(
    (a, b) =>
      nsRank(a.d.namespace) - nsRank(b.d.namespace) ||
      Number(b.host === svc.host) - Number(a.host === svc.host) ||
      b.host.length - a.host.length ||
      a.d.rank - b.d.rank,
  )
  const first = cands[0]
  if (!first) return undefined
  const group = cands.filter((c) => c.d.namespace === first.d.namespace && c.host === first.host)
  const out: EffectiveRule = { keys: [], subsets: [] }
  for (const { d } of group) merge(out, d)
  return out
}

function selectsNode(ctx: CompileContext, d: ConfigEntry): boolean {
  const sel = obj(d.spec.workloadSelector)
  if (!sel) return true
  return d.namespace === ctx.node.namespace && labelsMatch(strMap(sel.matchLabels), ctx.node.labels)
}

function merge(out: EffectiveRule, d: ConfigEntry): void {
  out.keys.push(d.key)
  const tp = obj(d.spec.trafficPolicy)
  if (tp && !out.policy) out.policy = tp
  for (const s of arr(d.spec.subsets)) {
    const o = obj(s)
    const name = str(o?.name)
    if (!o || !name || out.subsets.some((x) => x.name === name)) continue
    const policy = obj(o.trafficPolicy)
    out.subsets.push({ name, labels: strMap(o.labels), ...(policy ? { policy } : {}) })
  }
}

const BLOCKS = ['connectionPool', 'loadBalancer', 'outlierDetection', 'tls'] as const

/**
 * The traffic policy for one port and subset: the DR-level policy; a matching `portLevelSettings` entry
 * replaces the four blocks wholesale; then each block the subset sets replaces that block (Istio
 * `MergeTrafficPolicy`).
 */
export function policyFor(
  rule: EffectiveRule | undefined,
  port: number,
  subset?: string,
): Record<string, unknown> {
  if (!rule) return {}
  let p: Record<string, unknown> = { ...(rule.policy ?? {}) }
  const portLevel = arr(p.portLevelSettings)
    .map(obj)
    .find((x) => num(obj(x?.port)?.number) === port)
  if (portLevel) {
    p = {}
    for (const b of BLOCKS) if (portLevel[b] !== undefined) p[b] = portLevel[b]
  }
  const sp = subset ? rule.subsets.find((s) => s.name === subset)?.policy : undefined
  if (sp) {
    const subPort = arr(sp.portLevelSettings)
      .map(obj)
      .find((x) => num(obj(x?.port)?.number) === port)
    const src = subPort ?? sp
    for (const b of BLOCKS) if (src[b] !== undefined) p[b] = src[b]
  }
  return p
}

/** Envoy LB from `loadBalancer` (absent / UNSPECIFIED ⇒ LEAST_REQUEST; consistentHash ⇒ RING_HASH/MAGLEV). */
export function loadBalancerOf(policy: Record<string, unknown>): LoadBalancer {
  const lb = obj(policy.loadBalancer)
  const ch = obj(lb?.consistentHash)
  if (ch) {
    const maglev = obj(ch.maglev)
    if (maglev) return { kind: 'MAGLEV', tableSize: num(maglev.tableSize) ?? 65537 }
    const ring = obj(ch.ringHash)
    return {
      kind: 'RING_HASH',
      minimumRingSize: num(ring?.minimumRingSize) ?? num(ch.minimumRingSize) ?? 1024,
    }
  }
  switch (str(lb?.simple)?.toUpperCase()) {
    case 'ROUND_ROBIN':
      return { kind: 'ROUND_ROBIN' }
    case 'RANDOM':
      return { kind: 'RANDOM' }
    case 'PASSTHROUGH':
      return { kind: 'PASSTHROUGH' }
    default:
      return { kind: 'LEAST_REQUEST' }
  }
}

/** The route hash policy of a consistent-hash DR, if any. */
export function hashPolicyOf(policy: Record<string, unknown>): HashPolicy | undefined {
  const ch = obj(obj(policy.loadBalancer)?.consistentHash)
  if (!ch) return undefined
  const header = str(ch.httpHeaderName)
  if (header) return { kind: 'header', name: header.toLowerCase() }
  const cookie = obj(ch.httpCookie)
  if (cookie && str(cookie.name)) {
    const ttl = parseDurationMs(cookie.ttl)
    const path = str(cookie.path)
    return {
      kind: 'cookie',
      name: str(cookie.name) ?? '',
      ...(path ? { path } : {}),
      ...(ttl !== undefined ? { ttlMs: ttl } : {}),
    }
  }
  if (ch.useSourceIp === true) return { kind: 'sourceIp' }
  const q = str(ch.httpQueryParameterName)
  if (q) return { kind: 'queryParam', name: q }
  return undefined
}

/** Circuit breaker limits from `connectionPool` (absent ⇒ unlimited). */
export function circuitBreakerOf(policy: Record<string, unknown>): CircuitBreaker {
  const cp = obj(policy.connectionPool)
  const tcp = obj(cp?.tcp)
  const http = obj(cp?.http)
  const out: CircuitBreaker = {}
  const set = (k: keyof CircuitBreaker, v: number | undefined): void => {
    if (v !== undefined && v > 0) out[k] = v
  }
  set('maxConnections', num(tcp?.maxConnections))
  set('maxPendingRequests', num(http?.http1MaxPendingRequests))
  set('maxRequests', num(http?.http2MaxRequests))
  set('maxRetries', num(http?.maxRetries))
  set('maxRequestsPerConnection', num(http?.maxRequestsPerConnection))
  set('idleTimeoutMs', parseDurationMs(http?.idleTimeout))
  return out
}

/** Connect timeout: `connectionPool.tcp.connectTimeout`, else the mesh default. */
export function connectTimeoutOf(policy: Record<string, unknown>, meshDefault: number): number {
  return parseDurationMs(obj(obj(policy.connectionPool)?.tcp)?.connectTimeout) ?? meshDefault
}

/**
 * Outlier detection with Envoy's defaults (5 consecutive 5xx, 10 s interval, 30 s ejection, 10 %) and
 * Istio's panic threshold 0. Deprecated `consecutiveErrors: N` counts gateway errors (502/503/504) only,
 * as Istio did while it was supported.
 */
export function outlierOf(policy: Record<string, unknown>): OutlierDetection | undefined {
  const od = obj(policy.outlierDetection)
  if (!od) return undefined
  const out: OutlierDetection = {
    intervalMs: parseDurationMs(od.interval) ?? 10_000,
    baseEjectionTimeMs: parseDurationMs(od.baseEjectionTime) ?? 30_000,
    maxEjectionPercent: num(od.maxEjectionPercent) ?? 10,
    minHealthPercent: num(od.minHealthPercent) ?? 0,
  }
  const c5xx = num(od.consecutive5xxErrors)
  const gw = num(od.consecutiveGatewayErrors)
  const legacy = num(od.consecutiveErrors)
  if (c5xx === undefined && gw === undefined && legacy !== undefined && legacy > 0) {
    out.consecutiveGatewayErrors = legacy
    return out
  }
  const five = c5xx ?? 5
  if (five > 0) out.consecutive5xx = five
  if (gw !== undefined && gw > 0) out.consecutiveGatewayErrors = gw
  return out
}
