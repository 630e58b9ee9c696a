/**
 * @module proxy/observe/trace — W3C `traceparent`/`tracestate` and B3 (`x-b3-*`) propagation, span
 * creation, a bounded in-memory ring of finished spans, and Zipkin JSON export.
 */

import type { Exchange } from '../exchange.ts'
import type { HeaderBag } from '../filters/headers.ts'
import { randomHex } from './ids.ts'

/** One finished span in Zipkin v2 JSON shape. */
export interface Span {
  traceId: string
  id: string
  parentId?: string
  name: string
  kind: 'CLIENT' | 'SERVER'
  timestamp: number
  duration: number
  localEndpoint: { serviceName: string }
  tags: Record<string, string>
}

/** The tracer of one proxy. */
export interface Tracer {
  /** Joins or starts a trace for the exchange and writes the propagation headers for upstream. */
  inject(ex: Exchange, up: HeaderBag, samplingPercent: number): void
  finish(span: Span, zipkinUrl: string | undefined): void
  spans(): Span[]
  close(): void
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/** Creates a tracer keeping the last `capacity` spans. */
export function createTracer(capacity = 1000): Tracer {
  const ring: Span[] = []
  let next = 0
  let pending: Span[] = []
  let pendingUrl: string | undefined
  let flushTimer: NodeJS.Timeout | undefined
  const flush = () => {
    flushTimer = undefined
    const batch = pending
    pending = []
    if (!pendingUrl || batch.length === 0) return
    fetch(pendingUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    })
      .then((r) => r.body?.cancel())
      .catch(() => {})
  }
  return {
    inject(ex, up, samplingPercent) {
      const h = ex.req.headers
      let traceId: string | undefined
      let parent: string | undefined
      let sampled: boolean | undefined
      const tp = typeof h.traceparent === 'string' ? TRACEPARENT.exec(h.traceparent) : null
      if (tp) {
        traceId = tp[2]
        parent = tp[3]
        sampled = (Number.parseInt(tp[4]!, 16) & 1) === 1
      } else if (
        typeof h['x-b3-traceid'] === 'string' &&
        /^[0-9a-f]{16}([0-9a-f]{16})?$/.test(h['x-b3-traceid'])
      ) {
        traceId = h['x-b3-traceid'].padStart(32, '0')
        const sid = h['x-b3-spanid']
        parent = typeof sid === 'string' && /^[0-9a-f]{16}$/.test(sid) ? sid : undefined
        const s = h['x-b3-sampled']
        sampled = s === undefined ? undefined : s === '1' || s === 'true'
      }
      if (h['x-envoy-force-trace'] !== undefined) sampled = true
      if (sampled === undefined) sampled = samplingPercent > 0 && Math.random() * 100 < samplingPercent
      traceId ??= randomHex(16)
      const spanId = randomHex(8)
      ex.traceId = traceId
      ex.spanId = spanId
      if (parent) ex.parentSpanId = parent
      ex.sampled = sampled
      const flags = sampled ? '01' : '00'
      up.traceparent = `00-${traceId}-${spanId}-${flags}`
      up['x-b3-traceid'] = traceId
      up['x-b3-spanid'] = spanId
      if (parent) up['x-b3-parentspanid'] = parent
      else delete up['x-b3-parentspanid']
      up['x-b3-sampled'] = sampled ? '1' : '0'
    },
    finish(span, zipkinUrl) {
      if (ring.length < capacity) ring.push(span)
      else ring[next] = span
      next = (next + 1) % capacity
      if (zipkinUrl) {
        pendingUrl = zipkinUrl
        if (pending.length < 10_000) pending.push(span)
        flushTimer ??= setTimeout(flush, 1000)
      }
    },
    spans() {
      return ring.length < capacity ? [...ring] : [...ring.slice(next), ...ring.slice(0, next)]
    },
    close() {
      if (flushTimer) clearTimeout(flushTimer)
      flush()
    },
  }
}
