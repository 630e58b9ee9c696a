/** @module observe/spans — Zipkin v2 span JSON: validation of what proxies post, and conversion to OTLP/HTTP JSON. */

/** A span as Weir's proxies export it (Zipkin v2 JSON; fields other collectors add are kept). */
export interface ZipkinSpan {
  traceId: string
  id: string
  parentId?: string
  name?: string
  kind?: string
  timestamp?: number
  duration?: number
  localEndpoint?: { serviceName?: string }
  tags?: Record<string, string>
}

const HEX = /^[0-9a-f]{16}([0-9a-f]{16})?$/

/** The valid spans of a posted body (a JSON array); invalid entries are dropped and counted. */
export function parseZipkinSpans(body: unknown): { spans: ZipkinSpan[]; dropped: number } {
  if (!Array.isArray(body)) return { spans: [], dropped: 0 }
  const spans: ZipkinSpan[] = []
  let dropped = 0
  for (const s of body as unknown[]) {
    const o = s as Record<string, unknown> | null
    if (
      o === null ||
      typeof o !== 'object' ||
      typeof o.traceId !== 'string' ||
      !HEX.test(o.traceId) ||
      typeof o.id !== 'string' ||
      !/^[0-9a-f]{16}$/.test(o.id)
    ) {
      dropped++
      continue
    }
    const tags: Record<string, string> = {}
    if (o.tags && typeof o.tags === 'object')
      for (const [k, v] of Object.entries(o.tags as Record<string, unknown>))
        if (typeof v === 'string') tags[k] = v
    const span: ZipkinSpan = { traceId: o.traceId.padStart(32, '0'), id: o.id, tags }
    if (typeof o.parentId === 'string') span.parentId = o.parentId
    if (typeof o.name === 'string') span.name = o.name
    if (typeof o.kind === 'string') span.kind = o.kind
    if (typeof o.timestamp === 'number') span.timestamp = o.timestamp
    if (typeof o.duration === 'number') span.duration = o.duration
    const le = o.localEndpoint as { serviceName?: unknown } | undefined
    if (le && typeof le.serviceName === 'string') span.localEndpoint = { serviceName: le.serviceName }
    spans.push(span)
  }
  return { spans, dropped }
}

/** OTLP/HTTP JSON (`POST /v1/traces`) for a batch of spans, one resource per service. */
export function toOtlp(spans: readonly ZipkinSpan[]): unknown {
  const byService = new Map<string, ZipkinSpan[]>()
  for (const s of spans) {
    const svc = s.localEndpoint?.serviceName ?? 'unknown'
    byService.set(svc, [...(byService.get(svc) ?? []), s])
  }
  return {
    resourceSpans: [...byService].map(([service, list]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [
        {
          scope: { name: 'weir-proxy' },
          spans: list.map((s) => {
            const start = BigInt(Math.round(s.timestamp ?? 0)) * 1000n
            const end = start + BigInt(Math.round(s.duration ?? 0)) * 1000n
            return {
              traceId: s.traceId,
              spanId: s.id,
              ...(s.parentId ? { parentSpanId: s.parentId } : {}),
              name: s.name ?? '',
              kind: s.kind === 'SERVER' ? 2 : s.kind === 'CLIENT' ? 3 : 1,
              startTimeUnixNano: start.toString(),
              endTimeUnixNano: end.toString(),
              attributes: Object.entries(s.tags ?? {}).map(([key, v]) => ({
                key,
                value: { stringValue: v },
              })),
              status: { code: s.tags?.error === 'true' ? 2 : 0 },
            }
          }),
        },
      ],
    })),
  }
}
