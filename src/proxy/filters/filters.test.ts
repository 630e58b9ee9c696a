import assert from 'node:assert/strict'
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

const retry = (retryOn: string[], numRetries = 2, extra = {}) => ({
  numRetries,
  retryOn,
  retriableStatusCodes: [],
  retryOtherHosts: true,
  backoffBaseMs: 1,
  ...extra,
})

describe('filters: fault, timeout, retry, mirror, rewrite, redirect, headers, cors', () => {
  let ok: Upstream
  let flaky: Upstream
  let slow: Upstream
  let mirror: Upstream
  let flakyCount = 0
  let proxy: ProxyHandle
  const log: string[] = []
  const path = (p: string) => ({ path: { kind: 'exact' as const, value: p } })
  before(async () => {
    ok = await startUpstream('ok')
    mirror = await startUpstream('mirror')
    flaky = await startUpstream('flaky', (_req, res) => {
      flakyCount++
      res.writeHead(flakyCount % 2 === 1 ? 503 : 200)
      res.end(String(flakyCount))
    })
    slow = await startUpstream('slow', (_req, res) => {
      setTimeout(() => {
        res.writeHead(200)
        res.end('slow')
      }, 300)
    })
    proxy = await startTestProxy(
      httpConfig(
        [
          vhost(
            'svc',
            ['svc'],
            [
              forwardRoute('flaky', { retry: retry(['5xx']) }, { match: path('/retry') }),
              forwardRoute(
                'flaky',
                { retry: retry(['connect-failure', 'refused-stream']) },
                { match: path('/no-retry') },
              ),
              forwardRoute('flaky', { retry: retry(['503'], 0) }, { match: path('/zero') }),
              forwardRoute('dead', { retry: retry(['connect-failure'], 2) }, { match: path('/urx') }),
              forwardRoute('slow', { timeoutMs: 50 }, { match: path('/timeout') }),
              forwardRoute(
                'slow',
                { retry: retry(['5xx'], 1, { perTryTimeoutMs: 30 }) },
                { match: path('/pertry') },
              ),
              forwardRoute(
                'ok',
                { fault: { abort: { httpStatus: 418, percentage: 100 } } },
                { match: path('/abort') },
              ),
              forwardRoute(
                'ok',
                { fault: { abort: { httpStatus: 418, percentage: 0 } } },
                { match: path('/abort0') },
              ),
              forwardRoute(
                'ok',
                { fault: { delay: { fixedDelayMs: 100, percentage: 100 } } },
                { match: path('/delay') },
              ),
              forwardRoute(
                'ok',
                { mirrors: [{ cluster: 'mirror', percentage: 100, shadowHostSuffix: true }] },
                { match: path('/mirror') },
              ),
              forwardRoute(
                'ok',
                { rewrite: { uri: '/new', authority: 'rewritten' } },
                { match: { path: { kind: 'prefix', value: '/old' } } },
              ),
              {
                match: path('/redirect'),
                action: { kind: 'redirect', status: 301, authority: 'other.example', path: '/there' },
                policy: {},
              },
              { match: path('/direct'), action: { kind: 'respond', status: 202, body: 'hello' }, policy: {} },
              forwardRoute(
                'ok',
                {},
                {
                  match: path('/headers'),
                  headers: {
                    request: { set: { 'x-set': 'v' }, add: { 'x-add': 'a' }, remove: ['x-drop'] },
                    response: { set: { 'x-resp': 'r' }, remove: ['x-upstream'] },
                  },
                },
              ),
              forwardRoute(
                'ok',
                {
                  cors: {
                    allowOrigins: [{ kind: 'exact', value: 'https://ok.example' }],
                    allowMethods: ['GET', 'POST'],
                    maxAgeSeconds: 60,
                  },
                },
                { match: path('/cors') },
              ),
              {
                match: path('/weights'),
                action: {
                  kind: 'forward',
                  backends: [
                    { cluster: 'ok', weight: 1 },
                    { cluster: 'mirror', weight: 3 },
                  ],
                },
                policy: {},
              },
            ],
          ),
        ],
        [
          cluster('ok', [endpoint(ok.port)]),
          cluster('flaky', [endpoint(flaky.port)]),
          cluster('slow', [endpoint(slow.port)]),
          cluster('mirror', [endpoint(mirror.port)]),
          cluster('dead', [endpoint(1)]),
        ],
        { mesh: { accessLog: { enabled: true, format: 'text' } } },
      ),
      log,
    )
  })
  after(async () => {
    await proxy.close()
    for (const u of [ok, flaky, slow, mirror]) await u.close()
  })

  it('retries a 503 under retryOn 5xx, counting attempts', async () => {
    flakyCount = 0
    const r = await send(httpPort(proxy), { path: '/retry' })
    assert.equal(r.status, 200)
    assert.equal(r.body, '2')
    assert.equal(flaky.requests.at(-1)!.headers['x-envoy-attempt-count'], '2')
  })

  it('does not retry a 503 under Istio’s default retryOn', async () => {
    flakyCount = 0
    const r = await send(httpPort(proxy), { path: '/no-retry' })
    assert.equal(r.status, 503)
    assert.equal(flakyCount, 1)
  })

  it('honours x-envoy-retry-on from the client', async () => {
    flakyCount = 0
    const r = await send(httpPort(proxy), { path: '/no-retry', headers: { 'x-envoy-retry-on': '5xx' } })
    assert.equal(r.status, 200)
    assert.equal(flakyCount, 2)
    assert.equal(flaky.requests.at(-1)!.headers['x-envoy-retry-on'], undefined)
  })

  it('connect failures exhaust retries: 503 UF,URX', async () => {
    const r = await send(httpPort(proxy), { path: '/urx' })
    assert.equal(r.status, 503)
    assert.match(r.body, /reset reason: connection failure/)
    assert.match(log.join(''), /"GET \/urx HTTP\/1\.1" 503 UF,URX /)
  })

  it('route timeout: 504 UT upstream request timeout', async () => {
    const r = await send(httpPort(proxy), { path: '/timeout' })
    assert.equal(r.status, 504)
    assert.equal(r.body, 'upstream request timeout')
    assert.match(log.join(''), /"GET \/timeout HTTP\/1\.1" 504 UT response_timeout/)
  })

  it('per-try timeouts, all exhausted: 504 UT,URX', async () => {
    const r = await send(httpPort(proxy), { path: '/pertry' })
    assert.equal(r.status, 504)
    assert.match(log.join(''), /"GET \/pertry HTTP\/1\.1" 504 UT,URX upstream_per_try_timeout/)
  })

  it('fault abort answers FI with fault filter abort; 0% never fires', async () => {
    const before = ok.requests.length
    const r = await send(httpPort(proxy), { path: '/abort' })
    assert.equal(r.status, 418)
    assert.equal(r.body, 'fault filter abort')
    assert.equal(ok.requests.length, before)
    assert.match(log.join(''), /"GET \/abort HTTP\/1\.1" 418 FI fault_filter_abort/)
    assert.equal((await send(httpPort(proxy), { path: '/abort0' })).status, 200)
  })

  it('fault delay holds the request at least the delay (DI)', async () => {
    const t0 = Date.now()
    const r = await send(httpPort(proxy), { path: '/delay' })
    assert.equal(r.status, 200)
    assert.ok(Date.now() - t0 >= 95)
    assert.match(log.join(''), /"GET \/delay HTTP\/1\.1" 200 DI /)
  })

  it('mirrors fire-and-forget with -shadow host', async () => {
    const r = await send(httpPort(proxy), { path: '/mirror', host: 'svc:80' })
    assert.equal(r.body, 'ok')
    for (let i = 0; i < 100 && !mirror.requests.some((q) => q.url === '/mirror'); i++)
      await new Promise((res) => setTimeout(res, 10))
    const seen = mirror.requests.find((q) => q.url === '/mirror')
    assert.ok(seen)
    assert.equal(seen.headers.host, 'svc:80-shadow')
  })

  it('rewrites the prefix and authority, keeping x-envoy-original-path', async () => {
    await send(httpPort(proxy), { path: '/old/x?y=1' })
    const seen = ok.requests.at(-1)!
    assert.equal(seen.url, '/new/x?y=1')
    assert.equal(seen.headers.host, 'rewritten')
    assert.equal(seen.headers['x-envoy-original-path'], '/old/x?y=1')
  })

  it('redirects and answers directly', async () => {
    const r = await send(httpPort(proxy), { path: '/redirect' })
    assert.equal(r.status, 301)
    assert.equal(r.headers.location, 'http://other.example/there')
    const d = await send(httpPort(proxy), { path: '/direct' })
    assert.equal(d.status, 202)
    assert.equal(d.body, 'hello')
  })

  it('applies request and response header operations', async () => {
    const r = await send(httpPort(proxy), { path: '/headers', headers: { 'x-drop': '1', 'x-add': 'z' } })
    const seen = ok.requests.at(-1)!
    assert.equal(seen.headers['x-set'], 'v')
    assert.equal(seen.headers['x-add'], 'z, a')
    assert.equal(seen.headers['x-drop'], undefined)
    assert.equal(r.headers['x-resp'], 'r')
    assert.equal(r.headers['x-upstream'], undefined)
  })

  it('answers CORS preflights from allowed origins only', async () => {
    const pre = await send(httpPort(proxy), {
      path: '/cors',
      method: 'OPTIONS',
      headers: { origin: 'https://ok.example', 'access-control-request-method': 'POST' },
    })
    assert.equal(pre.status, 200)
    assert.equal(pre.headers['access-control-allow-origin'], 'https://ok.example')
    assert.equal(pre.headers['access-control-allow-methods'], 'GET,POST')
    const get = await send(httpPort(proxy), { path: '/cors', headers: { origin: 'https://ok.example' } })
    assert.equal(get.headers['access-control-allow-origin'], 'https://ok.example')
    const other = await send(httpPort(proxy), { path: '/cors', headers: { origin: 'https://evil.example' } })
    assert.equal(other.headers['access-control-allow-origin'], undefined)
  })

  it('splits by relative weights', async () => {
    let mirrored = 0
    for (let i = 0; i < 200; i++)
      if ((await send(httpPort(proxy), { path: '/weights' })).body === 'mirror') mirrored++
    // 75% expected; ±12% keeps the test from flaking while still failing on an unweighted pick.
    assert.ok(mirrored > 126 && mirrored < 174, `mirror got ${mirrored}/200`)
  })
})
