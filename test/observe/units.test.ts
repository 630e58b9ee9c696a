/** Unit tests of the observability pieces: exposition parsing, quantiles, counter increases, span store and export. */
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { describe, it } from 'node:test'
import { parsePrometheusText } from '../../src/observe/prom-text.ts'
import { histogramQuantile } from '../../src/observe/quantile.ts'
import { serviceDiscovery } from '../../src/observe/sd.ts'
import { parseZipkinSpans } from '../../src/observe/spans.ts'
import { computeStat, increases } from '../../src/observe/stat.ts'
import { createTraceStore, traceExportFromEnv } from '../../src/observe/trace-store.ts'
import { parseWindow } from '../../src/observe/window.ts'
import { HTTP_LABELS } from '../../src/proxy/observe/labels.ts'
import { createMetrics } from '../../src/proxy/observe/metrics.ts'
import { eventually } from '../../src/xds/testing.ts'

const labels = (over: Record<string, string>): string[] =>
  HTTP_LABELS.map((n) => over[n] ?? (n === 'reporter' ? 'destination' : 'unknown'))

describe('exposition text', () => {
  it('reads what the proxy renders, escapes included', () => {
    const m = createMetrics()
    m.recordRequest(labels({ destination_workload: 'a"b\\c', response_code: '200' }), 3, 10, 20)
    const samples = parsePrometheusText(m.render())
    const total = samples.find((s) => s.name === 'istio_requests_total')
    assert.equal(total?.value, 1)
    assert.equal(total?.labels.destination_workload, 'a"b\\c')
    const inf = samples.find(
      (s) => s.name === 'istio_request_duration_milliseconds_bucket' && s.labels.le === '+Inf',
    )
    assert.equal(inf?.value, 1)
  })
  it('skips lines it cannot read', () => {
    assert.deepEqual(parsePrometheusText('# x\nbad line here\nok 1\nnope{a="1" 2\n'), [
      { name: 'ok', labels: {}, value: 1 },
    ])
  })
})

describe('histogramQuantile', () => {
  it('interpolates inside the bucket as PromQL does', () => {
    const b = [
      { le: 1, count: 0 },
      { le: 5, count: 10 },
      { le: 10, count: 20 },
      { le: Number.POSITIVE_INFINITY, count: 20 },
    ]
    assert.equal(histogramQuantile(0.5, b), 5)
    assert.equal(histogramQuantile(0.75, b), 7.5)
    assert.equal(histogramQuantile(0.25, b), 3)
    assert.equal(histogramQuantile(0.5, [{ le: Number.POSITIVE_INFINITY, count: 0 }]), undefined)
  })
})

describe('stat', () => {
  it('diffs counters; a counter that went down counts from zero', () => {
    const s = (value: number) => ({ name: 'x', labels: { a: '1' }, value })
    assert.equal(increases([s(5)], [s(8)])[0]!.value, 3)
    assert.equal(increases([s(5)], [s(2)])[0]!.value, 2)
    assert.equal(increases(undefined, [s(4)])[0]!.value, 4)
  })
  it('groups destination-reported requests by workload with 5xx as failures', () => {
    const m = createMetrics()
    for (let i = 0; i < 3; i++)
      m.recordRequest(
        labels({
          destination_workload: 'r-v1',
          destination_workload_namespace: 'default',
          response_code: '200',
        }),
        2,
        1,
        1,
      )
    m.recordRequest(
      labels({
        destination_workload: 'r-v1',
        destination_workload_namespace: 'default',
        response_code: '503',
      }),
      2,
      1,
      1,
    )
    m.recordRequest(
      labels({
        reporter: 'source',
        destination_workload: 'r-v1',
        destination_workload_namespace: 'default',
        response_code: '500',
      }),
      2,
      1,
      1,
    )
    const rows = computeStat(
      'deploy',
      [
        {
          node: { id: 'r-v1-1.default', workload: 'r-v1', namespace: 'default' },
          after: parsePrometheusText(m.render()),
        },
      ],
      2,
    )
    assert.equal(rows.length, 1)
    assert.equal(rows[0]!.requests, 4)
    assert.equal(rows[0]!.success, 0.75)
    assert.equal(rows[0]!.rps, 2)
    assert.ok(rows[0]!.latencyMs.p50! > 1 && rows[0]!.latencyMs.p50! <= 5)
  })
})

describe('stat MESHED', () => {
  it('counts connected proxies against the workload’s pods; services have no MESHED', () => {
    const pods = [
      { pod: 'r-v1-a', namespace: 'default', workload: 'r-v1' },
      { pod: 'r-v1-b', namespace: 'default', workload: 'r-v1' },
      { pod: 'legacy-1', namespace: 'default', workload: 'legacy' },
    ]
    const windows = [{ node: { id: 'r-v1-a.default', workload: 'r-v1', namespace: 'default' }, after: [] }]
    assert.deepEqual(
      computeStat('deploy', windows, 0, {}, pods).map((r) => [r.name, r.meshed]),
      [
        ['legacy', { ready: 0, total: 1 }],
        ['r-v1', { ready: 1, total: 2 }],
      ],
    )
    assert.deepEqual(
      computeStat('pod', windows, 0, {}, pods).map((r) => [r.name, r.meshed.ready, r.meshed.total]),
      [
        ['legacy-1', 0, 1],
        ['r-v1-a', 1, 1],
        ['r-v1-b', 0, 1],
      ],
    )
  })
})

describe('service discovery', () => {
  it('lists proxies with an admin URL and the control plane', () => {
    const groups = serviceDiscovery(
      [
        { id: 'a-1.ns', labels: { app: 'a', version: 'v1' }, adminUrl: 'http://127.0.0.1:1234' },
        { id: 'b-1.ns' },
        { id: 'c-1.ns', adminUrl: 'http://10.0.0.1:15000' },
        { id: 'd-1.ns', adminUrl: 'file:///etc/passwd' },
      ],
      'http://127.0.0.1:99',
    )
    assert.deepEqual(
      groups.map((g) => [
        g.targets,
        g.labels.__metrics_path__,
        g.labels.pod,
        g.labels.namespace,
        g.labels.app,
        g.labels.version,
      ]),
      [
        [['127.0.0.1:1234'], '/stats/prometheus', 'a-1', 'ns', 'a', 'v1'],
        [['127.0.0.1:99'], '/metrics', 'weir-controlplane', 'istio-system', 'istiod', 'unknown'],
      ],
    )
  })
})

describe('span store', () => {
  const span = (traceId: string, id: string, extra: Record<string, unknown> = {}) => ({
    traceId,
    id,
    kind: 'SERVER',
    timestamp: 1_000_000,
    duration: 1000,
    ...extra,
  })

  it('drops invalid spans and keeps a bounded number of traces, newest first', () => {
    const { spans, dropped } = parseZipkinSpans([
      span('a'.repeat(32), '1'.repeat(16)),
      { traceId: 'zz', id: 'x' },
      7,
    ])
    assert.equal(spans.length, 1)
    assert.equal(dropped, 2)
    const store = createTraceStore({ maxTraces: 2 })
    for (const t of ['a', 'b', 'c']) store.add(parseZipkinSpans([span(t.repeat(32), '1'.repeat(16))]).spans)
    assert.deepEqual(
      store.traces(10).map((t) => t.traceId[0]),
      ['c', 'b'],
    )
    assert.equal(store.size(), 2)
  })

  it('forwards batches to Zipkin and OTLP collectors', async () => {
    const got: { path: string; body: unknown }[] = []
    const collector = createServer((req, res) => {
      let b = ''
      req.on('data', (d) => {
        b += d
      })
      req.on('end', () => {
        got.push({ path: req.url ?? '', body: JSON.parse(b) })
        res.writeHead(202).end()
      })
    })
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', () => r()))
    const base = `http://127.0.0.1:${(collector.address() as { port: number }).port}`
    try {
      const store = createTraceStore({
        zipkinExportUrl: `${base}/api/v2/spans`,
        otlpExportUrl: `${base}/v1/traces`,
      })
      store.add(
        parseZipkinSpans([
          span('a'.repeat(32), '1'.repeat(16), {
            localEndpoint: { serviceName: 'r.default' },
            tags: { 'http.status_code': '200' },
          }),
        ]).spans,
      )
      await eventually('both collectors got the batch', () => got.length === 2)
      const zipkin = got.find((g) => g.path === '/api/v2/spans')!.body as { id: string }[]
      assert.equal(zipkin[0]!.id, '1'.repeat(16))
      const otlp = got.find((g) => g.path === '/v1/traces')!.body as {
        resourceSpans: {
          resource: { attributes: { value: { stringValue: string } }[] }
          scopeSpans: {
            spans: { spanId: string; startTimeUnixNano: string; endTimeUnixNano: string; kind: number }[]
          }[]
        }[]
      }
      const rs = otlp.resourceSpans[0]!
      assert.equal(rs.resource.attributes[0]!.value.stringValue, 'r.default')
      const s = rs.scopeSpans[0]!.spans[0]!
      assert.equal(s.spanId, '1'.repeat(16))
      assert.equal(s.kind, 2)
      assert.equal(s.startTimeUnixNano, '1000000000')
      assert.equal(s.endTimeUnixNano, '1001000000')
    } finally {
      collector.close()
    }
  })
})

describe('trace export settings', () => {
  it('come from WEIR_TRACES_ZIPKIN_URL and WEIR_TRACES_OTLP_URL', () => {
    assert.deepEqual(
      traceExportFromEnv({
        WEIR_TRACES_ZIPKIN_URL: 'http://127.0.0.1:9411/api/v2/spans',
        WEIR_TRACES_OTLP_URL: 'ftp://x',
      }),
      { zipkinExportUrl: 'http://127.0.0.1:9411/api/v2/spans' },
    )
  })
})

describe('windows', () => {
  it('parses durations and refuses others', () => {
    assert.deepEqual(parseWindow('30s'), { ok: true, ms: 30_000 })
    assert.deepEqual(parseWindow('1m'), { ok: true, ms: 60_000 })
    assert.deepEqual(parseWindow('0'), { ok: true, ms: 0 })
    assert.equal(parseWindow('10m').ok, false)
    assert.equal(parseWindow('-1s').ok, false)
  })
})

describe('graph', () => {
  it('versioned nodes, shares of the source’s requests, Kiali health and the mTLS lock', async () => {
    const { computeGraph, healthOf } = await import('../../src/observe/graph.ts')
    const src = {
      source_workload: 'pp-v1',
      source_workload_namespace: 'ns',
      source_app: 'pp',
      source_version: 'v1',
    }
    const dst = (v: string) => ({
      destination_workload: `r-${v}`,
      destination_workload_namespace: 'ns',
      destination_app: 'r',
      destination_version: v,
      destination_service: 'r.ns.svc.cluster.local',
    })
    const client = createMetrics()
    for (let i = 0; i < 3; i++)
      client.recordRequest(
        labels({ reporter: 'source', ...src, ...dst('v1'), response_code: '200' }),
        1,
        1,
        1,
      )
    client.recordRequest(labels({ reporter: 'source', ...src, ...dst('v2'), response_code: '503' }), 1, 1, 1)
    const server = createMetrics()
    server.recordRequest(
      labels({ ...src, ...dst('v1'), response_code: '200', connection_security_policy: 'mutual_tls' }),
      1,
      1,
      1,
    )
    const g = computeGraph(
      [
        { node: { id: 'pp-1.ns' }, after: parsePrometheusText(client.render()) },
        { node: { id: 'r-v1-1.ns' }, after: parsePrometheusText(server.render()) },
      ],
      0,
    )
    assert.deepEqual(
      g.nodes.map((n) => [n.id, n.health]),
      [
        ['ns/pp/v1', 'idle'],
        ['ns/r/v1', 'healthy'],
        ['ns/r/v2', 'failure'],
      ],
    )
    assert.deepEqual(
      g.edges.map((e) => [e.target, e.requests, e.percent, e.mtls]),
      [
        ['ns/r/v1', 3, 75, true],
        ['ns/r/v2', 1, 25, false],
      ],
    )
    assert.equal(healthOf(1000, 1), 'degraded')
    assert.equal(healthOf(1000, 0), 'healthy')
    assert.equal(healthOf(10, 1), 'failure')
  })
})
