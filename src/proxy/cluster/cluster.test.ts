import assert from 'node:assert/strict'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { after, before, describe, it } from 'node:test'
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

describe('clusters: circuit breaker, outlier detection, pickers', () => {
  const ups: Upstream[] = []
  let hold: Upstream
  let bad: Upstream
  const held: ServerResponse[] = []
  let proxy: ProxyHandle
  const log: string[] = []
  const path = (p: string) => ({ path: { kind: 'exact' as const, value: p } })
  before(async () => {
    for (const n of ['u0', 'u1', 'u2']) ups.push(await startUpstream(n))
    hold = await startUpstream('hold', (_req: IncomingMessage, res: ServerResponse) => {
      held.push(res)
    })
    bad = await startUpstream('bad', (_req, res) => {
      res.writeHead(500)
      res.end('bad')
    })
    const eps = ups.map((u) => endpoint(u.port))
    proxy = await startTestProxy(
      httpConfig(
        [
          vhost(
            'svc',
            ['svc'],
            [
              forwardRoute('hold', {}, { match: path('/hold') }),
              forwardRoute('rr', {}, { match: path('/rr') }),
              forwardRoute('outlier', {}, { match: path('/outlier') }),
              forwardRoute(
                'ring',
                { hashPolicy: { kind: 'header', name: 'x-user' } },
                { match: path('/ring-header') },
              ),
              forwardRoute(
                'ring',
                { hashPolicy: { kind: 'cookie', name: 'user', ttlMs: 60_000, path: '/' } },
                {
                  match: path('/ring-cookie'),
                },
              ),
              forwardRoute('unready', {}, { match: path('/unready') }),
            ],
          ),
        ],
        [
          cluster('hold', [endpoint(hold.port)], {
            circuitBreaker: { maxConnections: 1, maxPendingRequests: 1 },
          }),
          cluster('rr', eps, { lb: { kind: 'ROUND_ROBIN' } }),
          cluster('ring', eps, { lb: { kind: 'RING_HASH', minimumRingSize: 1024 } }),
          cluster('unready', [endpoint(ups[0]!.port, { ready: false })]),
          cluster('outlier', [endpoint(bad.port), endpoint(ups[0]!.port)], {
            lb: { kind: 'ROUND_ROBIN' },
            outlierDetection: {
              consecutive5xx: 2,
              intervalMs: 1000,
              baseEjectionTimeMs: 60_000,
              maxEjectionPercent: 100,
              minHealthPercent: 0,
            },
          }),
        ],
        { mesh: { accessLog: { enabled: true, format: 'text' } } },
      ),
      log,
    )
  })
  after(async () => {
    for (const r of held) r.end()
    await proxy.close()
    for (const u of [...ups, hold, bad]) await u.close()
  })

  it('overflowing the circuit breaker answers 503 UO with x-envoy-overloaded', async () => {
    const port = httpPort(proxy)
    const first = send(port, { path: '/hold' })
    const second = send(port, { path: '/hold' })
    for (let i = 0; i < 200 && held.length < 1; i++) await new Promise((r) => setTimeout(r, 5))
    // Two in flight (one connection + one pending): the third overflows.
    const third = await send(port, { path: '/hold' })
    assert.equal(third.status, 503)
    assert.equal(third.headers['x-envoy-overloaded'], 'true')
    assert.match(log.join(''), /"GET \/hold HTTP\/1\.1" 503 UO /)
    let settled = false
    const both = Promise.all([first, second]).finally(() => {
      settled = true
    })
    for (let i = 0; i < 400 && !settled; i++) {
      for (const r of held.splice(0)) r.end('done')
      await new Promise((r) => setTimeout(r, 5))
    }
    const [a, b] = await both
    assert.equal(a.status, 200)
    assert.equal(b.status, 200)
  })

  it('round robin visits every endpoint', async () => {
    const seen = new Set<string>()
    for (let i = 0; i < 6; i++) seen.add((await send(httpPort(proxy), { path: '/rr' })).body)
    assert.deepEqual([...seen].sort(), ['u0', 'u1', 'u2'])
  })

  it('unready endpoints are never picked: 503 UH', async () => {
    const r = await send(httpPort(proxy), { path: '/unready' })
    assert.equal(r.status, 503)
    assert.equal(r.body, 'no healthy upstream')
  })

  it('ejects an endpoint after consecutive 5xx', async () => {
    const bodies: string[] = []
    for (let i = 0; i < 12; i++) bodies.push((await send(httpPort(proxy), { path: '/outlier' })).body)
    // After two 500s the bad host is ejected for a minute: the tail only sees the good one.
    assert.deepEqual(bodies.slice(-6), ['u0', 'u0', 'u0', 'u0', 'u0', 'u0'])
    assert.equal(bodies.filter((b) => b === 'bad').length, 2)
    const clusters = (await send(proxy.adminAddress().port, { path: '/clusters' })).body
    assert.match(
      clusters,
      new RegExp(`outlier::127.0.0.1:${bad.port}::health_flags::healthy/failed_outlier_check`),
    )
  })

  it('ring hash on a header is sticky; a missing header is random', async () => {
    for (const user of ['alice', 'bob', 'carol']) {
      const bodies = new Set<string>()
      for (let i = 0; i < 5; i++)
        bodies.add((await send(httpPort(proxy), { path: '/ring-header', headers: { 'x-user': user } })).body)
      assert.equal(bodies.size, 1)
    }
    const spread = new Set<string>()
    for (let i = 0; i < 40; i++) spread.add((await send(httpPort(proxy), { path: '/ring-header' })).body)
    assert.ok(spread.size > 1)
  })

  it('ring hash on a cookie with ttl generates the cookie, then sticks to it', async () => {
    const first = await send(httpPort(proxy), { path: '/ring-cookie' })
    const setCookie = String(first.headers['set-cookie'])
    const m = /^user="([^"]+)"; Max-Age=60; Path=\/; HttpOnly/.exec(setCookie)
    assert.ok(m, setCookie)
    const bodies = new Set<string>()
    for (let i = 0; i < 5; i++)
      bodies.add(
        (await send(httpPort(proxy), { path: '/ring-cookie', headers: { cookie: `a=b; user=${m[1]}` } }))
          .body,
      )
    assert.equal(bodies.size, 1)
  })
})
