/**
 * @module proxy/observe/metrics — Istio's standard metrics in Prometheus text exposition.
 *
 * Hand-written rather than prom-client: a series is found by one Map lookup on the joined label
 * values, and increments touch plain numbers (no per-call label-object hashing on the hot path).
 */
import { HTTP_LABELS, TCP_LABELS } from './labels.ts'

/** Envoy's default histogram buckets (Istio's). */
export const BUCKETS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
]

interface Histogram {
  counts: number[]
  sum: number
  count: number
}

interface HttpSeries {
  values: string[]
  requests: number
  duration: Histogram
  requestBytes: Histogram
  responseBytes: Histogram
}

interface TcpSeries {
  values: string[]
  opened: number
  closed: number
  sent: number
  received: number
}

/** The metric store of one proxy. */
export interface Metrics {
  recordRequest(values: string[], durationMs: number, requestBytes: number, responseBytes: number): void
  tcp(values: string[]): TcpSeries
  render(): string
}

function histogram(): Histogram {
  return { counts: new Array(BUCKETS.length).fill(0), sum: 0, count: 0 }
}

/** Counts per bucket are stored non-cumulative (one increment per observation); render sums them. */
function observe(h: Histogram, v: number): void {
  h.sum += v
  h.count++
  let i = 0
  while (i < BUCKETS.length && v > BUCKETS[i]!) i++
  if (i < BUCKETS.length) h.counts[i]!++
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

function labelText(names: readonly string[], values: string[]): string {
  let s = ''
  for (let i = 0; i < names.length; i++) s += `${i ? ',' : ''}${names[i]}="${escapeLabel(values[i] ?? '')}"`
  return s
}

/** Creates an empty metric store. */
export function createMetrics(): Metrics {
  const http = new Map<string, HttpSeries>()
  const tcp = new Map<string, TcpSeries>()
  // Callers that reuse a label array (the observer caches them) find their series without a join.
  const byArray = new WeakMap<string[], HttpSeries>()
  return {
    recordRequest(values, durationMs, requestBytes, responseBytes) {
      let s = byArray.get(values)
      if (!s) {
        const key = values.join('\u0001')
        s = http.get(key)
        if (s) byArray.set(values, s)
      }
      if (!s) {
        s = {
          values,
          requests: 0,
          duration: histogram(),
          requestBytes: histogram(),
          responseBytes: histogram(),
        }
        http.set(values.join('\u0001'), s)
        byArray.set(values, s)
      }
      s.requests++
      observe(s.duration, durationMs)
      observe(s.requestBytes, requestBytes)
      observe(s.responseBytes, responseBytes)
    },
    tcp(values) {
      const key = values.join('\u0001')
      let s = tcp.get(key)
      if (!s) {
        s = { values, opened: 0, closed: 0, sent: 0, received: 0 }
        tcp.set(key, s)
      }
      return s
    },
    render() {
      const out: string[] = []
      const hist = (name: string, help: string, pick: (s: HttpSeries) => Histogram) => {
        out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`)
        for (const s of http.values()) {
          const l = labelText(HTTP_LABELS, s.values)
          const h = pick(s)
          let cumulative = 0
          for (let i = 0; i < BUCKETS.length; i++) {
            cumulative += h.counts[i]!
            out.push(`${name}_bucket{${l},le="${BUCKETS[i]}"} ${cumulative}`)
          }
          out.push(
            `${name}_bucket{${l},le="+Inf"} ${h.count}`,
            `${name}_sum{${l}} ${h.sum}`,
            `${name}_count{${l}} ${h.count}`,
          )
        }
      }
      out.push('# HELP istio_requests_total Total requests.', '# TYPE istio_requests_total counter')
      for (const s of http.values())
        out.push(`istio_requests_total{${labelText(HTTP_LABELS, s.values)}} ${s.requests}`)
      hist('istio_request_duration_milliseconds', 'Request duration in milliseconds.', (s) => s.duration)
      hist('istio_request_bytes', 'Request size in bytes.', (s) => s.requestBytes)
      hist('istio_response_bytes', 'Response size in bytes.', (s) => s.responseBytes)
      const counter = (name: string, help: string, pick: (s: TcpSeries) => number) => {
        out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`)
        for (const s of tcp.values()) out.push(`${name}{${labelText(TCP_LABELS, s.values)}} ${pick(s)}`)
      }
      counter('istio_tcp_sent_bytes_total', 'Bytes sent to the downstream.', (s) => s.sent)
      counter('istio_tcp_received_bytes_total', 'Bytes received from the downstream.', (s) => s.received)
      counter('istio_tcp_connections_opened_total', 'TCP connections opened.', (s) => s.opened)
      counter('istio_tcp_connections_closed_total', 'TCP connections closed.', (s) => s.closed)
      out.push('# TYPE istio_build gauge', 'istio_build{component="proxy",tag="weir-0.1.0"} 1')
      return `${out.join('\n')}\n`
    },
  }
}
