/**
 * @module observe/trace-store — the control plane's bounded in-memory store of spans posted by proxies,
 * grouped into traces (each the chain of hops of one request), with optional forwarding to a Zipkin or
 * OTLP collector.
 */
import { toOtlp, type ZipkinSpan } from './spans.ts'

/** One hop of a trace: one proxy's span. */
export interface Hop {
  spanId: string
  parentId?: string
  /** `workload.namespace` of the proxy that recorded it. */
  service: string
  kind: string
  /** Span name: `host:port/path` (Istio's decorator). */
  operation: string
  /** Start, ms after the trace's first span started. */
  offsetMs: number
  durationMs: number
  statusCode: string
  responseFlags: string
  /** The upstream cluster the route picked (`outbound|9080|v1|reviews.default.svc.cluster.local`). */
  route: string
  proxy: string
}

/** One trace: its hops in start order. */
export interface TraceSummary {
  traceId: string
  start: string
  durationMs: number
  /** The first hop's operation. */
  root: string
  error: boolean
  hops: Hop[]
}

/** Options of {@link createTraceStore}. */
export interface TraceStoreOptions {
  /** Most traces kept (oldest dropped first; default 1000). */
  maxTraces?: number
  /** Most spans kept per trace (default 200). */
  maxSpansPerTrace?: number
  /** Forward every batch as Zipkin v2 JSON to this URL. */
  zipkinExportUrl?: string
  /** Forward every batch as OTLP/HTTP JSON to this URL (`…/v1/traces`). */
  otlpExportUrl?: string
}

/** The store. */
export interface TraceStore {
  add(spans: readonly ZipkinSpan[]): void
  /** The most recent traces first (by their last span's arrival). */
  traces(limit: number): TraceSummary[]
  /** Spans kept now. */
  size(): number
}

function post(url: string, body: unknown): void {
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  })
    .then((r) => r.body?.cancel())
    .catch(() => {})
}

/**
 * Spans in call order: each parent before its children (timestamps are only millisecond-precise, so a
 * client span and the server span it caused often start in the same millisecond), siblings by start.
 */
function callOrder(spans: readonly ZipkinSpan[]): ZipkinSpan[] {
  const byStart = [...spans].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))
  const ids = new Set(byStart.map((s) => s.id))
  const children = new Map<string, ZipkinSpan[]>()
  for (const s of byStart)
    if (s.parentId && ids.has(s.parentId) && s.parentId !== s.id)
      children.set(s.parentId, [...(children.get(s.parentId) ?? []), s])
  const out: ZipkinSpan[] = []
  const seen = new Set<ZipkinSpan>()
  const visit = (s: ZipkinSpan): void => {
    if (seen.has(s)) return
    seen.add(s)
    out.push(s)
    for (const c of children.get(s.id) ?? []) visit(c)
  }
  for (const s of byStart) if (!s.parentId || !ids.has(s.parentId)) visit(s)
  for (const s of byStart) visit(s) // cycles or duplicate ids: still listed once
  return out
}

function summarize(traceId: string, spans: readonly ZipkinSpan[]): TraceSummary {
  const sorted = callOrder(spans)
  const t0 = Math.min(...sorted.map((s) => s.timestamp ?? 0))
  const end = Math.max(...sorted.map((s) => (s.timestamp ?? 0) + (s.duration ?? 0)))
  const hops = sorted.map((s): Hop => {
    const hop: Hop = {
      spanId: s.id,
      service: s.localEndpoint?.serviceName ?? 'unknown',
      kind: s.kind ?? '',
      operation: s.name ?? '',
      offsetMs: ((s.timestamp ?? t0) - t0) / 1000,
      durationMs: (s.duration ?? 0) / 1000,
      statusCode: s.tags?.['http.status_code'] ?? '',
      responseFlags: s.tags?.response_flags ?? '-',
      route: s.tags?.route_name ?? s.tags?.upstream_cluster ?? '',
      proxy: s.tags?.node_id ?? '',
    }
    if (s.parentId) hop.parentId = s.parentId
    return hop
  })
  return {
    traceId,
    start: new Date(t0 / 1000).toISOString(),
    durationMs: (end - t0) / 1000,
    root: hops[0]?.operation ?? '',
    error: sorted.some((s) => s.tags?.error === 'true'),
    hops,
  }
}

/** Creates an empty store. */
export function createTraceStore(opts: TraceStoreOptions = {}): TraceStore {
  const maxTraces = opts.maxTraces ?? 1000
  const maxSpans = opts.maxSpansPerTrace ?? 200
  // Map iteration order is insertion order: re-inserting a trace on each new span keeps it LRU-last.
  const traces = new Map<string, ZipkinSpan[]>()
  let count = 0
  return {
    add(spans) {
      if (spans.length === 0) return
      for (const s of spans) {
        const list = traces.get(s.traceId) ?? []
        traces.delete(s.traceId)
        if (list.length < maxSpans && !list.some((x) => x.id === s.id && x.kind === s.kind)) {
          list.push(s)
          count++
        }
        traces.set(s.traceId, list)
        while (traces.size > maxTraces) {
          const oldest = traces.keys().next().value as string
          count -= traces.get(oldest)?.length ?? 0
          traces.delete(oldest)
        }
      }
      if (opts.zipkinExportUrl) post(opts.zipkinExportUrl, spans)
      if (opts.otlpExportUrl) post(opts.otlpExportUrl, toOtlp(spans))
    },
    traces(limit) {
      const ids = [...traces.keys()].reverse().slice(0, Math.max(0, limit))
      return ids.map((id) => summarize(id, traces.get(id) ?? []))
    },
    size: () => count,
  }
}

/**
 * Export targets from the environment: `WEIR_TRACES_ZIPKIN_URL` (Zipkin v2 `…/api/v2/spans`) and
 * `WEIR_TRACES_OTLP_URL` (OTLP/HTTP JSON `…/v1/traces`). Non-HTTP values are ignored.
 */
export function traceExportFromEnv(env: NodeJS.ProcessEnv = process.env): TraceStoreOptions {
  const out: TraceStoreOptions = {}
  const http = (v: string | undefined): v is string => v !== undefined && /^https?:\/\/./.test(v)
  if (http(env.WEIR_TRACES_ZIPKIN_URL)) out.zipkinExportUrl = env.WEIR_TRACES_ZIPKIN_URL
  if (http(env.WEIR_TRACES_OTLP_URL)) out.otlpExportUrl = env.WEIR_TRACES_OTLP_URL
  return out
}
