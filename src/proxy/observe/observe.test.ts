import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { after, before, describe, it } from 'node:test'
import type { ProxyConfig } from '../../proxyconfig/types.ts'
import type { ProxyHandle } from '../proxy.ts'
import {
  cluster,
  endpoint,
  forwardRoute,
  httpConfig,
  httpPort,
  send,
  startTestProxy,
  startUpstream,
  type Upstream,
  vhost,
} from '../test-support.ts'

describe('telemetry across two proxies (source and destination reporters)', () => {
  let app: Upstream
  let inbound: ProxyHandle
  let outbound: ProxyHandle
  const inboundLog: string[] = []
  before(async () => {
    app = await startUpstream('reviews')
    const inCfg: ProxyConfig = httpConfig(
      [
        vhost('inbound|9080||', ['*'], [forwardRoute('inbound|9080||')], {
          service: { host: 'reviews.default.svc.cluster.local', name: 'reviews', namespace: 'default' },
        }),
      ],
      [cluster('inbound|9080||', [endpoint(app.port)], { direction: 'inbound' })],
      { direction: 'inbound', mesh: { accessLog: { enabled: true, format: 'json' } } },
    )
    inCfg.node = {
      ...inCfg.node,
      id: 'reviews-v2-1.default',
      workload: 'reviews-v2',
      labels: { app: 'reviews', version: 'v2' },
    }
    inbound = await startTestProxy(inCfg, inboundLog)
    outbound = await startTestProxy(
      httpConfig(
        [
          vhost(
            'reviews.default.svc.cluster.local:9080',
            ['reviews'],
            [forwardRoute('outbound|9080||reviews.default.svc.cluster.local')],
            {
              service: {
                host: 'reviews.default.svc.cluster.local',
                name: 'reviews',
                namespace: 'default',
                port: 9080,
              },
            },
          ),
        ],
        [
          cluster('outbound|9080||reviews.default.svc.cluster.local', [
            endpoint(httpPort(inbound), {
              labels: { app: 'reviews', version: 'v2' },
              workload: { name: 'reviews-v2', namespace: 'default', serviceAccount: 'bookinfo-reviews' },
            }),
          ]),
        ],
      ),
    )
  })
  after(async () => {
    await outbound.close()
    await inbound.close()
    await app.close()
  })

  it('labels both sides with Istio’s names and values', async () => {
    const r = await send(httpPort(outbound), { host: 'reviews:9080', headers: { 'user-agent': 'test' } })
    assert.equal(r.status, 200)
    assert.equal(r.headers.server, 'envoy')
    assert.equal(app.requests.at(-1)!.headers['x-envoy-peer-metadata'], undefined)
    const src = (await send(outbound.adminAddress().port, { path: '/stats/prometheus' })).body
    assert.match(
      src,
      /istio_requests_total\{reporter="source",source_workload="productpage-v1",source_canonical_service="productpage",source_canonical_revision="v1",source_workload_namespace="default",source_principal="unknown",source_app="productpage",source_version="v1",source_cluster="Kubernetes",destination_workload="reviews-v2",destination_workload_namespace="default",destination_principal="unknown",destination_app="reviews",destination_version="v2",destination_service="reviews.default.svc.cluster.local",destination_canonical_service="reviews",destination_canonical_revision="v2",destination_service_name="reviews",destination_service_namespace="default",destination_cluster="Kubernetes",request_protocol="http",response_code="200",grpc_response_status="",response_flags="-",connection_security_policy="unknown"\} 1/,
    )
    const dst = (await send(inbound.adminAddress().port, { path: '/stats/prometheus' })).body
    assert.match(
      dst,
      /istio_requests_total\{reporter="destination",source_workload="productpage-v1",.*source_app="productpage".*destination_workload="reviews-v2".*destination_app="reviews",destination_version="v2".*connection_security_policy="none"\} 1/,
    )
    const entry = JSON.parse(inboundLog.at(-1)!) as Record<string, unknown>
    assert.equal(entry.response_code, 200)
    assert.equal(entry.upstream_cluster, 'inbound|9080||')
    assert.equal(entry.user_agent, 'test')
    assert.equal(entry.response_flags, '-')
  })
})

describe('gateway headers and Zipkin export', () => {
  let up: Upstream
  const posted: unknown[] = []
  const zipkin = createServer((req, res) => {
    let b = ''
    req.on('data', (d) => {
      b += d
    })
    req.on('end', () => {
      posted.push(...(JSON.parse(b) as unknown[]))
      res.writeHead(202)
      res.end()
    })
  })
  before(async () => {
    up = await startUpstream('up')
    await new Promise<void>((r) => zipkin.listen(0, '127.0.0.1', () => r()))
  })
  after(async () => {
    await up.close()
    zipkin.close()
  })

  it('appends x-forwarded-for, answers as istio-envoy, exports spans to Zipkin', async () => {
    const port = (zipkin.address() as { port: number }).port
    const gw = await startTestProxy(
      httpConfig([vhost('gw', ['*'], [forwardRoute('up')])], [cluster('up', [endpoint(up.port)])], {
        direction: 'gateway',
        mesh: { tracing: { samplingPercent: 100, zipkinUrl: `http://127.0.0.1:${port}/api/v2/spans` } },
      }),
    )
    try {
      const r = await send(httpPort(gw), { headers: { 'x-forwarded-for': '10.0.0.1' } })
      assert.equal(r.headers.server, 'istio-envoy')
      assert.equal(up.requests.at(-1)!.headers['x-forwarded-for'], '10.0.0.1, 127.0.0.1')
      for (let i = 0; i < 300 && posted.length === 0; i++) await new Promise((res) => setTimeout(res, 10))
      assert.equal(posted.length, 1)
      assert.equal((posted[0] as { kind: string }).kind, 'CLIENT')
    } finally {
      await gw.close()
    }
  })
})
