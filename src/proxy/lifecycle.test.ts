import assert from 'node:assert/strict'
import type { ServerResponse } from 'node:http'
import { after, before, describe, it } from 'node:test'
import type { ProxyConfig } from '../proxyconfig/types.ts'
import { type ProxyHandle, startProxy } from './proxy.ts'
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
} from './test-support.ts'

describe('mesh outbound traffic policy', () => {
  let up: Upstream
  before(async () => {
    up = await startUpstream('external')
  })
  after(() => up.close())

  it('REGISTRY_ONLY: HTTP to an unknown host gets 502 from block_all', async () => {
    const config = httpConfig(
      [
        vhost('block_all', ['*'], [{ match: {}, action: { kind: 'respond', status: 502 }, policy: {} }]),
        vhost('known', ['known'], [forwardRoute('known')]),
      ],
      [cluster('known', [endpoint(up.port)])],
      { mesh: { outboundTrafficPolicy: 'REGISTRY_ONLY' } },
    )
    const proxy = await startTestProxy(config)
    try {
      assert.equal((await send(httpPort(proxy), { host: 'unknown.example' })).status, 502)
      assert.equal((await send(httpPort(proxy), { host: 'known' })).status, 200)
      const stats = (await send(proxy.adminAddress().port, { path: '/stats/prometheus' })).body
      assert.match(stats, /destination_service_name="BlackHoleCluster"/)
    } finally {
      await proxy.close()
    }
  })

  it('ALLOW_ANY: an unknown host passes through to the original destination', async () => {
    const config = httpConfig(
      [vhost('allow_any', ['*'], [forwardRoute('PassthroughCluster')])],
      [cluster('PassthroughCluster', [], { type: 'originalDst', lb: { kind: 'PASSTHROUGH' } })],
    )
    const proxy = await startProxy({
      config,
      bind: () => ({ host: '127.0.0.1', port: 0 }),
      originalDestination: () => ({ host: '127.0.0.1', port: up.port }),
      log: () => {},
    })
    try {
      const r = await send(httpPort(proxy), { host: 'anything.example' })
      assert.equal(r.body, 'external')
      const stats = (await send(proxy.adminAddress().port, { path: '/stats/prometheus' })).body
      assert.match(stats, /destination_service_name="PassthroughCluster"/)
    } finally {
      await proxy.close()
    }
  })
})

describe('config pushes, drain, admin', () => {
  let a: Upstream
  let b: Upstream
  let slow: Upstream
  const held: ServerResponse[] = []
  let proxy: ProxyHandle
  let config: ProxyConfig
  before(async () => {
    a = await startUpstream('a')
    b = await startUpstream('b')
    slow = await startUpstream('slow', (_req, res) => {
      held.push(res)
    })
    config = httpConfig(
      [
        vhost(
          'svc',
          ['svc'],
          [
            forwardRoute('slow', {}, { match: { path: { kind: 'exact', value: '/slow' } } }),
            forwardRoute('a'),
          ],
        ),
      ],
      [
        cluster('a', [endpoint(a.port)]),
        cluster('b', [endpoint(b.port)]),
        cluster('slow', [endpoint(slow.port)]),
      ],
    )
    proxy = await startTestProxy(config)
  })
  after(async () => {
    for (const r of held) r.end()
    await proxy.close()
    for (const u of [a, b, slow]) await u.close()
  })

  it('applies a good config and refuses a bad one, keeping the last good', async () => {
    const port = httpPort(proxy)
    assert.equal((await send(port)).body, 'a')
    const inflight = send(port, { path: '/slow' })
    for (let i = 0; i < 200 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 5))
    const toB: ProxyConfig = structuredClone(config)
    toB.routeTables.rt!.virtualHosts[0]!.routes[1] = forwardRoute('b')
    assert.deepEqual(proxy.applyConfig(toB), { ok: true })
    assert.equal((await send(port)).body, 'b')
    const bad: ProxyConfig = structuredClone(toB)
    bad.routeTables.rt!.virtualHosts[0]!.routes[1] = forwardRoute(
      'a',
      {},
      { match: { path: { kind: 'regex', value: '(' } } },
    )
    const refused = proxy.applyConfig(bad)
    assert.equal(refused.ok, false)
    assert.match(refused.ok ? '' : refused.error, /invalid regex/)
    assert.equal((await send(port)).body, 'b')
    assert.equal(proxy.addresses().http!.port, port)
    for (const r of held.splice(0)) r.end('finished')
    assert.equal((await inflight).body, 'finished')
    const dump = JSON.parse(
      (await send(proxy.adminAddress().port, { path: '/config_dump' })).body,
    ) as ProxyConfig
    assert.equal(dump.routeTables.rt!.virtualHosts[0]!.routes[1]!.action.kind, 'forward')
  })

  it('starts added listeners and stops removed ones on a push', async () => {
    const p2 = await startTestProxy(config)
    try {
      const more: ProxyConfig = structuredClone(config)
      more.listeners.push({ ...more.listeners[0]!, name: 'second' } as ProxyConfig['listeners'][number])
      assert.deepEqual(p2.applyConfig(more), { ok: true })
      await p2.listenersSettled()
      const second = p2.addresses().second!.port
      assert.equal((await send(second)).body, 'a')
      const first = httpPort(p2)
      const fewer: ProxyConfig = structuredClone(config)
      fewer.listeners = [{ ...fewer.listeners[0]!, name: 'second' } as ProxyConfig['listeners'][number]]
      assert.deepEqual(p2.applyConfig(fewer), { ok: true })
      await p2.listenersSettled()
      assert.deepEqual(Object.keys(p2.addresses()), ['second'])
      await assert.rejects(send(first))
      assert.equal((await send(second)).body, 'a')
      // A listener that cannot bind is reported, the others keep serving.
      const clash: ProxyConfig = structuredClone(fewer)
      clash.listeners.push({
        ...clash.listeners[0]!,
        name: 'clash',
        port: second,
      } as ProxyConfig['listeners'][number])
      const p3 = await startProxy({
        config: fewer,
        bind: (l) => ({ host: '127.0.0.1', port: l.name === 'clash' ? second : 0 }),
        log: () => {},
      })
      try {
        assert.deepEqual(p3.applyConfig(clash), { ok: true })
        await p3.listenersSettled()
        assert.match(p3.listenerErrors().clash ?? '', /EADDRINUSE/)
        assert.equal((await send(p3.addresses().second!.port)).body, 'a')
      } finally {
        await p3.close()
      }
    } finally {
      await p2.close()
    }
  })

  it('serves /healthz/ready, /clusters, /logging and /spans', async () => {
    const admin = proxy.adminAddress().port
    assert.equal((await send(admin, { path: '/healthz/ready' })).status, 200)
    assert.match(
      (await send(admin, { path: '/clusters' })).body,
      /^a::127\.0\.0\.1:\d+::health_flags::healthy$/m,
    )
    assert.match((await send(admin, { path: '/logging?level=debug', method: 'POST' })).body, /proxy: debug/)
    assert.equal((await send(admin, { path: '/spans' })).status, 200)
  })

  it('drain finishes in-flight requests, then closes', async () => {
    const p2 = await startTestProxy(config)
    const port = httpPort(p2)
    const inflight = send(port, { path: '/slow' })
    for (let i = 0; i < 200 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 5))
    const drained = p2.drain()
    await new Promise((r) => setTimeout(r, 20))
    for (const r of held.splice(0)) r.end('late')
    assert.equal((await inflight).body, 'late')
    await drained
    await assert.rejects(send(port))
  })
})

describe('tracing', () => {
  it('propagates traceparent and B3, and records sampled spans', async () => {
    const up = await startUpstream('t')
    const proxy = await startTestProxy(
      httpConfig([vhost('svc', ['svc'], [forwardRoute('t')])], [cluster('t', [endpoint(up.port)])], {
        mesh: { tracing: { samplingPercent: 100 } },
      }),
    )
    try {
      const trace = '0af7651916cd43dd8448eb211c80319c'
      await send(httpPort(proxy), { headers: { traceparent: `00-${trace}-b7ad6b7169203331-01` } })
      const h = up.requests.at(-1)!.headers
      assert.match(String(h.traceparent), new RegExp(`^00-${trace}-[0-9a-f]{16}-01$`))
      assert.equal(h['x-b3-traceid'], trace)
      assert.equal(h['x-b3-parentspanid'], 'b7ad6b7169203331')
      const spans = JSON.parse((await send(proxy.adminAddress().port, { path: '/spans' })).body) as {
        traceId: string
      }[]
      assert.ok(spans.some((s) => s.traceId === trace))
    } finally {
      await proxy.close()
      await up.close()
    }
  })
})
