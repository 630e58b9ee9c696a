import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { ProxyHandle } from './proxy.ts'
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

describe('HTTP request path', () => {
  let a: Upstream
  let b: Upstream
  let closer: Upstream
  let status: Upstream
  let hang: Upstream
  let hangClosed = false
  let proxy: ProxyHandle
  const log: string[] = []
  before(async () => {
    a = await startUpstream('a')
    b = await startUpstream('b')
    closer = await startUpstream('closer', (req) => req.socket.destroy())
    status = await startUpstream('status', (req, res, body) => {
      const code = Number(req.headers['x-status'])
      res.writeHead(code, { 'content-type': 'text/plain' })
      res.end(code === 204 || code === 304 ? undefined : body)
    })
    hang = await startUpstream('hang', (req) => {
      req.socket.once('close', () => {
        hangClosed = true
      })
    })
    proxy = await startTestProxy(
      httpConfig(
        [
          vhost(
            'svc',
            ['svc', 'svc.default.svc.cluster.local'],
            [
              forwardRoute(
                'b',
                {},
                {
                  match: { path: { kind: 'prefix', value: '/b' } },
                  origin: { virtualService: 'vs.default', rule: 0, name: 'to-b' },
                },
              ),
              forwardRoute(
                'a',
                {},
                { match: { headers: [{ name: 'end-user', match: { kind: 'exact', value: 'jason' } }] } },
              ),
              forwardRoute('missing', {}, { match: { path: { kind: 'exact', value: '/nc' } } }),
              forwardRoute('empty', {}, { match: { path: { kind: 'exact', value: '/uh' } } }),
              forwardRoute('dead', {}, { match: { path: { kind: 'exact', value: '/uf' } } }),
              forwardRoute('a', {}, { match: { path: { kind: 'regex', value: '/r/[0-9]+' } } }),
              forwardRoute('closer', {}, { match: { path: { kind: 'exact', value: '/uc' } } }),
              forwardRoute('status', {}, { match: { path: { kind: 'exact', value: '/status' } } }),
              forwardRoute('hang', {}, { match: { path: { kind: 'exact', value: '/hang' } } }),
            ],
            { service: { host: 'svc.default.svc.cluster.local', name: 'svc', namespace: 'default' } },
          ),
          vhost('wild', ['*.example.com'], [forwardRoute('b')]),
        ],
        [
          cluster('a', [
            endpoint(a.port, {
              workload: { name: 'a-v1', namespace: 'default', serviceAccount: 'a' },
              labels: { app: 'a', version: 'v1' },
            }),
          ]),
          cluster('b', [endpoint(b.port)]),
          cluster('empty', []),
          cluster('dead', [endpoint(1)]),
          cluster('closer', [endpoint(closer.port)]),
          cluster('status', [endpoint(status.port)]),
          cluster('hang', [endpoint(hang.port)]),
        ],
        { mesh: { accessLog: { enabled: true, format: 'text' } } },
      ),
      log,
    )
  })
  after(async () => {
    await proxy.close()
    await a.close()
    await b.close()
    await closer.close()
    await status.close()
    await hang.close()
  })

  it('routes by prefix and forwards with Envoy headers', async () => {
    const r = await send(httpPort(proxy), { path: '/bx?q=1' })
    assert.equal(r.status, 200)
    assert.equal(r.body, 'b')
    assert.equal(r.headers.server, 'envoy')
    assert.match(String(r.headers['x-envoy-upstream-service-time']), /^\d+$/)
    const seen = b.requests.at(-1)!
    assert.equal(seen.url, '/bx?q=1')
    assert.match(String(seen.headers['x-request-id']), /^[0-9a-f-]{36}$/)
    assert.equal(seen.headers['x-envoy-attempt-count'], '1')
    assert.equal(seen.headers['x-forwarded-proto'], 'http')
  })

  it('matches headers, and 404 NR when nothing matches', async () => {
    assert.equal((await send(httpPort(proxy), { headers: { 'end-user': 'jason' } })).body, 'a')
    const r = await send(httpPort(proxy), { path: '/other' })
    assert.equal(r.status, 404)
    assert.equal(r.body, '')
    const unknownHost = await send(httpPort(proxy), { host: 'nowhere:80' })
    assert.equal(unknownHost.status, 404)
  })

  it('regex is a full match', async () => {
    assert.equal((await send(httpPort(proxy), { path: '/r/123' })).body, 'a')
    assert.equal((await send(httpPort(proxy), { path: '/r/123x' })).status, 404)
  })

  it('ignores the port and picks suffix wildcards', async () => {
    assert.equal((await send(httpPort(proxy), { host: 'SVC:9080', path: '/b' })).body, 'b')
    assert.equal((await send(httpPort(proxy), { host: 'x.y.example.com' })).body, 'b')
  })

  it('answers the failure table: NC, UH, UF', async () => {
    const nc = await send(httpPort(proxy), { path: '/nc' })
    assert.equal(nc.status, 503)
    const uh = await send(httpPort(proxy), { path: '/uh' })
    assert.equal(uh.status, 503)
    assert.equal(uh.body, 'no healthy upstream')
    const uf = await send(httpPort(proxy), { path: '/uf' })
    assert.equal(uf.status, 503)
    assert.equal(
      uf.body,
      'upstream connect error or disconnect/reset before headers. reset reason: connection failure',
    )
    const lines = log.join('')
    assert.match(lines, /"GET \/nc HTTP\/1\.1" 503 NC cluster_not_found/)
    assert.match(lines, /"GET \/uh HTTP\/1\.1" 503 UH no_healthy_upstream/)
    assert.match(
      lines,
      /"GET \/uf HTTP\/1\.1" 503 UF upstream_reset_before_response_started\{connection_failure\}/,
    )
    assert.match(lines, /"GET \/other HTTP\/1\.1" 404 NR route_not_found/)
  })

  it('an upstream closing before headers gives 503 UC; a client leaving is logged DC', async () => {
    const r = await send(httpPort(proxy), { path: '/uc' })
    assert.equal(r.status, 503)
    assert.equal(
      r.body,
      'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
    )
    assert.match(
      log.join(''),
      /"GET \/uc HTTP\/1\.1" 503 UC upstream_reset_before_response_started\{connection_termination\}/,
    )
    const { request } = await import('node:http')
    await new Promise<void>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port: httpPort(proxy),
        path: '/hang',
        headers: { host: 'svc' },
        agent: false,
      })
      req.on('error', () => resolve())
      req.end()
      setTimeout(() => {
        req.destroy()
        resolve()
      }, 50)
    })
    for (let i = 0; i < 100 && !/"GET \/hang HTTP\/1\.1" 0 DC /.test(log.join('')); i++)
      await new Promise((r) => setTimeout(r, 10))
    assert.match(log.join(''), /"GET \/hang HTTP\/1\.1" 0 DC /)
    // The upstream request is reset too: the hanging upstream sees its connection closed.
    for (let i = 0; i < 100 && !hangClosed; i++) await new Promise((r) => setTimeout(r, 10))
    assert.ok(hangClosed, 'upstream connection still open after the client left')
  })

  it('passes HEAD, 204 and 304 through without bodies, and POST with Expect: 100-continue', async () => {
    const head = await send(httpPort(proxy), { method: 'HEAD', path: '/bx' })
    assert.equal(head.status, 200)
    assert.equal(head.body, '')
    const s204 = await send(httpPort(proxy), { path: '/status', headers: { 'x-status': '204' } })
    assert.equal(s204.status, 204)
    const s304 = await send(httpPort(proxy), { path: '/status', headers: { 'x-status': '304' } })
    assert.equal(s304.status, 304)
    const post = await send(httpPort(proxy), {
      method: 'POST',
      path: '/status',
      headers: { 'x-status': '201', expect: '100-continue', 'content-type': 'text/plain' },
      body: 'payload',
    })
    assert.equal(post.status, 201)
    assert.equal(post.body, 'payload')
  })

  it('exports Istio metrics with Istio labels', async () => {
    await send(httpPort(proxy), { headers: { 'end-user': 'jason' } })
    const admin = proxy.adminAddress()
    const text = (await send(admin.port, { path: '/stats/prometheus' })).body
    assert.match(
      text,
      /istio_requests_total\{reporter="source",source_workload="productpage-v1",.*destination_workload="a-v1".*destination_service="svc.default.svc.cluster.local".*response_code="200".*response_flags="-",connection_security_policy="unknown"\} \d+/,
    )
    assert.match(text, /istio_request_duration_milliseconds_bucket\{.*le="0.5"\}/)
    assert.match(text, /response_flags="NR"/)
  })
})
