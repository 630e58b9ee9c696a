/**
 * @module test/observe/mesh — a small mesh for the observability tests: a real control plane, a
 * `reviews-v2` sidecar (inbound, in front of a tiny upstream answering 500 on `/fail`) and a
 * `productpage-v1` sidecar (outbound to reviews), both started with `startProxy` and connected to
 * the control plane's push stream with their admin URL in the hello.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ControlPlane, startControlPlane } from '../../src/controlplane/server.ts'
import type { ProxyHandle } from '../../src/proxy/proxy.ts'
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
} from '../../src/proxy/test-support.ts'
import type { ProxyConfig } from '../../src/proxyconfig/types.ts'
import { type ConfigStream, connectConfigStream } from '../../src/xds/client.ts'
import { eventually } from '../../src/xds/testing.ts'

/** The running mesh. */
export interface TestMesh {
  cp: ControlPlane
  state: string
  app: Upstream
  reviews: ProxyHandle
  productpage: ProxyHandle
  /** With `withV1`: a `reviews-v1` sidecar that productpage sends paths under `/v1` to. */
  reviewsV1?: ProxyHandle
  /** Sends one request from productpage to reviews (path `/fail` answers 500). */
  call(path: string, headers?: Record<string, string>): Promise<number>
  close(): Promise<void>
}

const SERVICE = {
  host: 'reviews.default.svc.cluster.local',
  name: 'reviews',
  namespace: 'default',
  port: 9080,
}

/** Starts the mesh; `samplingPercent` for the proxies' tracing (spans to the control plane). */
export async function startTestMesh(
  opts: { samplingPercent?: number; withV1?: boolean } = {},
): Promise<TestMesh> {
  const state = mkdtempSync(join(tmpdir(), 'weir-observe-'))
  const cp = await startControlPlane({ stateDir: state, onWarning: () => {} })
  const tracing = { samplingPercent: opts.samplingPercent ?? 0, zipkinUrl: `${cp.url}/api/v2/spans` }
  const app = await startUpstream('reviews', (req, res) => {
    const fail = req.url?.startsWith('/fail')
    res.writeHead(fail ? 500 : 200, { 'content-type': 'text/plain' })
    res.end(fail ? 'boom' : 'ok')
  })
  const inCfg: ProxyConfig = httpConfig(
    [vhost('inbound|9080||', ['*'], [forwardRoute('inbound|9080||')], { service: SERVICE })],
    [cluster('inbound|9080||', [endpoint(app.port)], { direction: 'inbound' })],
    { direction: 'inbound', mesh: { tracing } },
  )
  inCfg.node = {
    ...inCfg.node,
    id: 'reviews-v2-1.default',
    workload: 'reviews-v2',
    labels: { app: 'reviews', version: 'v2' },
    serviceAccount: 'bookinfo-reviews',
    identity: 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews',
  }
  const reviews = await startTestProxy(inCfg)
  let reviewsV1: ProxyHandle | undefined
  if (opts.withV1) {
    const v1 = structuredClone(inCfg)
    v1.node = {
      ...v1.node,
      id: 'reviews-v1-1.default',
      workload: 'reviews-v1',
      labels: { app: 'reviews', version: 'v1' },
    }
    reviewsV1 = await startTestProxy(v1)
  }
  const V1 = 'outbound|9080|v1|reviews.default.svc.cluster.local'
  const productpage = await startTestProxy(
    httpConfig(
      [
        vhost(
          'reviews.default.svc.cluster.local:9080',
          ['reviews', 'reviews:9080'],
          [
            ...(reviewsV1
              ? [forwardRoute(V1, {}, { match: { path: { kind: 'prefix', value: '/v1' } } })]
              : []),
            forwardRoute('outbound|9080||reviews.default.svc.cluster.local'),
          ],
          { service: SERVICE },
        ),
      ],
      [
        cluster('outbound|9080||reviews.default.svc.cluster.local', [
          endpoint(httpPort(reviews), {
            labels: { app: 'reviews', version: 'v2' },
            workload: { name: 'reviews-v2', namespace: 'default', serviceAccount: 'bookinfo-reviews' },
          }),
        ]),
        ...(reviewsV1
          ? [
              cluster(V1, [
                endpoint(httpPort(reviewsV1), {
                  labels: { app: 'reviews', version: 'v1' },
                  workload: { name: 'reviews-v1', namespace: 'default', serviceAccount: 'bookinfo-reviews' },
                }),
              ]),
            ]
          : []),
      ],
      { mesh: { tracing } },
    ),
  )
  // Connected as `weir up` connects its sidecars; no Pod is stored, so the control plane has no config
  // to push and each proxy keeps serving the config it started with.
  const proxies = [reviews, productpage, ...(reviewsV1 ? [reviewsV1] : [])]
  const streams: ConfigStream[] = proxies.map((p) => {
    const c = p.config()
    return connectConfigStream({
      url: cp.url,
      token: cp.token,
      node: {
        id: c.node.id,
        role: c.node.role,
        namespace: c.node.namespace,
        workload: c.node.workload,
        labels: c.node.labels,
        adminUrl: `http://127.0.0.1:${p.adminAddress().port}`,
      },
      onConfig: (config) => p.applyConfig(config),
    })
  })
  await eventually('the proxies connected', () => cp.mesh.push.nodes().length === proxies.length, 10_000)
  return {
    cp,
    state,
    app,
    reviews,
    productpage,
    ...(reviewsV1 ? { reviewsV1 } : {}),
    async call(path, headers = {}) {
      return (await send(httpPort(productpage), { host: 'reviews:9080', path, headers })).status
    },
    async close() {
      for (const s of streams) s.close()
      await productpage.close()
      await reviews.close()
      await reviewsV1?.close()
      await app.close()
      await cp.close()
      rmSync(state, { recursive: true, force: true })
    },
  }
}
