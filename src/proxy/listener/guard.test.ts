import assert from 'node:assert/strict'
import { connect } from 'node:net'
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

/** Writes raw bytes and reads until the proxy closes the connection or 2 s pass. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    let out = ''
    s.on('data', (d) => {
      out += d.toString('latin1')
    })
    const done = () => resolve(out)
    s.on('close', done)
    s.on('error', done)
    s.setTimeout(2000, () => s.destroy())
    s.write(text)
  })
}

describe('listener hardening: smuggling shapes, header limits, path normalisation', () => {
  let up: Upstream
  let proxy: ProxyHandle
  before(async () => {
    up = await startUpstream('up')
    proxy = await startTestProxy(
      httpConfig(
        [
          vhost(
            'svc',
            ['svc'],
            [
              forwardRoute('up', {}, { match: { path: { kind: 'prefix', value: '/public' } } }),
              {
                match: { path: { kind: 'prefix', value: '/admin' } },
                action: { kind: 'respond', status: 403, body: 'denied' },
                policy: {},
              },
            ],
          ),
        ],
        [cluster('up', [endpoint(up.port)])],
      ),
    )
  })
  after(async () => {
    await proxy.close()
    await up.close()
  })

  const shapes: [string, string][] = [
    [
      'Content-Length with Transfer-Encoding',
      'POST /public HTTP/1.1\r\nHost: svc\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /public/smuggled HTTP/1.1\r\nHost: svc\r\n\r\n',
    ],
    [
      'duplicate Content-Length',
      'POST /public HTTP/1.1\r\nHost: svc\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello',
    ],
    [
      'Transfer-Encoding other than chunked',
      'POST /public HTTP/1.1\r\nHost: svc\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
    ],
    ['obsolete line folding', 'GET /public HTTP/1.1\r\nHost: svc\r\nX-A: a\r\n  folded\r\n\r\n'],
    ['duplicate Host', 'GET /public HTTP/1.1\r\nHost: svc\r\nHost: other\r\n\r\n'],
  ]
  for (const [name, text] of shapes) {
    it(`refuses ${name} with 400 and forwards nothing`, async () => {
      const before = up.requests.length
      const reply = await raw(httpPort(proxy), text)
      assert.match(reply, /^HTTP\/1\.1 400 /)
      assert.equal(up.requests.length, before)
    })
  }

  it('answers 426 to HTTP/1.0 (Istio does not accept it) and 431 to a 70 KiB header', async () => {
    assert.match(await raw(httpPort(proxy), 'GET /public HTTP/1.0\r\nHost: svc\r\n\r\n'), /^HTTP\/1\.1 426 /)
    const huge = await raw(
      httpPort(proxy),
      `GET /public HTTP/1.1\r\nHost: svc\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`,
    )
    assert.match(huge, /^HTTP\/1\.1 431 /)
  })

  it('answers 431 beyond 100 headers, and to 1001+ headers hiding a Content-Length', async () => {
    const headers: Record<string, string> = {}
    for (let i = 0; i < 101; i++) headers[`x-h${i}`] = 'v'
    const r = await send(httpPort(proxy), { path: '/public', headers })
    assert.equal(r.status, 431)
    let many = 'POST /public HTTP/1.1\r\nHost: svc\r\n'
    for (let i = 0; i < 1001; i++) many += `X-${i}: v\r\n`
    many += 'Content-Length: 38\r\n\r\nGET /public/smuggled HTTP/1.1\r\nHost: svc\r\n\r\n'
    const before = up.requests.length
    const reply = await raw(httpPort(proxy), many)
    assert.match(reply, /^HTTP\/1\.1 431 /)
    assert.equal(up.requests.length, before)
  })

  it('normalises dot segments before routing, and forwards the normalised path', async () => {
    const r = await raw(
      httpPort(proxy),
      'GET /public/../admin HTTP/1.1\r\nHost: svc\r\nConnection: close\r\n\r\n',
    )
    assert.match(r, /^HTTP\/1\.1 403 /)
    await send(httpPort(proxy), { path: '/public/a/./b/../c?x=1' })
    assert.equal(up.requests.at(-1)!.url, '/public/a/c?x=1')
    const enc = await raw(
      httpPort(proxy),
      'GET /%70ublic/%2e%2e/admin HTTP/1.1\r\nHost: svc\r\nConnection: close\r\n\r\n',
    )
    assert.match(enc, /^HTTP\/1\.1 403 /)
  })
})
