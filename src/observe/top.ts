/**
 * @module observe/top — Linkerd-style `top`: the busiest paths, from the spans the proxies recorded
 * recently (each request once: the server side's span, or the client's when no sidecar served it).
 */
import type { ZipkinSpan } from './spans.ts'

/** One row of `weir top`. */
export interface TopRow {
  source: string
  destination: string
  method: string
  path: string
  count: number
  bestMs: number
  worstMs: number
  lastMs: number
  /** Non-5xx share (0..1). */
  success: number
}

function pathOf(s: ZipkinSpan): string {
  const url = s.tags?.['http.url']
  if (!url) return s.name ?? '-'
  try {
    return new URL(url).pathname
  } catch {
    return url
  }
}

/** Destination of a client span: the service host of its cluster `outbound|port|subset|host`. */
function clientDestination(s: ZipkinSpan): string {
  const c = s.tags?.upstream_cluster ?? ''
  const host = c.split('|')[3]
  if (host) {
    const [name, ns] = host.split('.')
    return ns ? `${name}.${ns}` : host
  }
  return c || '-'
}

/**
 * Rows sorted by count (then path). `sinceMicros` drops older spans; `namespace` keeps requests whose
 * destination is in it.
 */
export function computeTop(
  spans: readonly ZipkinSpan[],
  opts: { sinceMicros?: number; namespace?: string; limit?: number } = {},
): TopRow[] {
  const recent = spans.filter((s) => (s.timestamp ?? 0) >= (opts.sinceMicros ?? 0))
  const byId = new Map<string, ZipkinSpan>()
  const served = new Set<string>()
  for (const s of recent) {
    if (s.kind === 'CLIENT') byId.set(`${s.traceId}/${s.id}`, s)
    if (s.kind === 'SERVER' && s.parentId) served.add(`${s.traceId}/${s.parentId}`)
  }
  const rows = new Map<string, TopRow & { lastAt: number }>()
  for (const s of recent) {
    let source: string
    let destination: string
    if (s.kind === 'SERVER') {
      destination = s.localEndpoint?.serviceName ?? '-'
      const parent = s.parentId ? byId.get(`${s.traceId}/${s.parentId}`) : undefined
      source = parent?.localEndpoint?.serviceName ?? '-'
    } else {
      if (served.has(`${s.traceId}/${s.id}`)) continue
      source = s.localEndpoint?.serviceName ?? '-'
      destination = clientDestination(s)
    }
    if (opts.namespace !== undefined && destination.split('.')[1] !== opts.namespace) continue
    const method = s.tags?.['http.method'] ?? '-'
    const path = pathOf(s)
    const ms = (s.duration ?? 0) / 1000
    const ok = !(s.tags?.['http.status_code'] ?? '').startsWith('5')
    const k = `${source}\u0001${destination}\u0001${method}\u0001${path}`
    const r = rows.get(k)
    if (!r) {
      rows.set(k, {
        source,
        destination,
        method,
        path,
        count: 1,
        bestMs: ms,
        worstMs: ms,
        lastMs: ms,
        success: ok ? 1 : 0,
        lastAt: s.timestamp ?? 0,
      })
      continue
    }
    r.success = (r.success * r.count + (ok ? 1 : 0)) / (r.count + 1)
    r.count++
    r.bestMs = Math.min(r.bestMs, ms)
    r.worstMs = Math.max(r.worstMs, ms)
    if ((s.timestamp ?? 0) >= r.lastAt) {
      r.lastAt = s.timestamp ?? 0
      r.lastMs = ms
    }
  }
  return [...rows.values()]
    .map(({ lastAt: _, ...r }) => r)
    .sort((a, b) => b.count - a.count || a.path.localeCompare(b.path))
    .slice(0, opts.limit ?? 100)
}
