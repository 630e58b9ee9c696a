/**
 * @module bench/proxy-metrics.bench — recording one request's Istio metrics (a counter and three
 * histograms over 25 labels): Weir's hand-written store against prom-client, in the same process.
 */
import { performance } from 'node:perf_hooks'
import { Counter, Histogram, Registry } from 'prom-client'
import { HTTP_LABELS } from '../src/proxy/observe/labels.ts'
import { BUCKETS, createMetrics } from '../src/proxy/observe/metrics.ts'

const N = Number(process.env.N ?? 200_000)
const SERIES = 12
const values = Array.from({ length: SERIES }, (_, s) =>
  HTTP_LABELS.map((l, i) => (l === 'response_code' ? String(200 + (s % 4)) : `${l}-value-${i}-${s % 3}`)),
)

function timeIt(name: string, fn: (i: number) => void): number {
  for (let i = 0; i < 20_000; i++) fn(i)
  const t0 = performance.now()
  for (let i = 0; i < N; i++) fn(i)
  const ns = ((performance.now() - t0) * 1e6) / N
  console.log(`${name}: ${ns.toFixed(0)} ns per request`)
  return ns
}

const weir = createMetrics()
const weirNs = timeIt('weir metrics', (i) => weir.recordRequest(values[i % SERIES]!, i % 250, 300, 120))

const registry = new Registry()
const labelNames = [...HTTP_LABELS]
const requests = new Counter({ name: 'istio_requests_total', help: 'h', labelNames, registers: [registry] })
const hist = (name: string) =>
  new Histogram({ name, help: 'h', labelNames, buckets: BUCKETS, registers: [registry] })
const duration = hist('istio_request_duration_milliseconds')
const reqBytes = hist('istio_request_bytes')
const respBytes = hist('istio_response_bytes')
const objects = values.map((v) => Object.fromEntries(HTTP_LABELS.map((l, i) => [l, v[i]!])))
const promNs = timeIt('prom-client', (i) => {
  const labels = objects[i % SERIES]!
  requests.inc(labels)
  duration.observe(labels, i % 250)
  reqBytes.observe(labels, 300)
  respBytes.observe(labels, 120)
})
console.log(`prom-client / weir: ${(promNs / weirNs).toFixed(1)}x`)
const t0 = performance.now()
weir.render()
const t1 = performance.now()
await registry.metrics()
const t2 = performance.now()
console.log(
  `render ${SERIES} series: weir ${(t1 - t0).toFixed(2)} ms, prom-client ${(t2 - t1).toFixed(2)} ms`,
)
