/**
 * Smuggling check: random request heads built from classic smuggling fragments, with bodies that hold
 * no complete second request, are sent on raw sockets; whatever the proxy answers, one request head
 * never becomes two upstream requests, and the proxy keeps serving.
 */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
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

const FRAGMENTS = [
  'Content-Length: 5',
  'Content-Length: 0',
  'Content-Length: 44',
  'Content-Length:5',
  'Content-Length: 5, 5',
  'Transfer-Encoding: chunked',
  'Transfer-Encoding: chunked, identity',
  'Transfer-Encoding : chunked',
  'Transfer-Encoding:\tchunked',
  'transfer-encoding: CHUNKED',
  'Transfer-Encoding: xchunked',
  ' Transfer-Encoding: chunked',
  'X-Folded: a\r\n b',
  'Host: other',
  'Connection: keep-alive',
  'Connection: close, Content-Length',
  'Upgrade: h2c',
  'Expect: 100-continue',
]
const BODIES = [
  '',
  'hello',
  '0\r\n\r\n',
  '5\r\nhello\r\n0\r\n\r\n',
  '0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: svc\r\n\r\n',
]

function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    let out = ''
    s.on('data', (d) => {
      out += d.toString('latin1')
    })
    s.on('close', () => resolve(out))
    s.on('error', () => resolve(out))
    // Written without half-closing: a client FIN aborts pending requests (node:http, like a disconnect).
    s.setTimeout(200, () => s.destroy())
    s.write(text)
  })
}

describe('smuggling fragments (property)', () => {
  let up: Upstream
  let proxy: ProxyHandle
  before(async () => {
    up = await startUpstream('up')
    proxy = await startTestProxy(
      httpConfig([vhost('svc', ['svc'], [forwardRoute('up')])], [cluster('up', [endpoint(up.port)])]),
    )
  })
  after(async () => {
    await proxy.close()
    await up.close()
  })

  it('one request head never becomes two upstream requests, nor a smuggled one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 3 }),
        fc.constantFrom(...BODIES),
        fc.constantFrom('GET', 'POST'),
        async (headers, body, method) => {
          const before = up.requests.length
          const head = [`${method} /x HTTP/1.1`, 'Host: svc', ...headers].join('\r\n')
          const reply = await exchange(httpPort(proxy), `${head}\r\n\r\n${body}`)
          const seen = up.requests.slice(before)
          assert.match(reply, /^(HTTP\/1\.1 \d{3} |$)/)
          assert.ok(seen.length <= 1, `one request head became ${seen.length} upstream requests:\n${head}`)
          assert.ok(
            !seen.some((r) => r.url === '/smuggled'),
            `smuggled request reached the upstream:\n${head}`,
          )
        },
      ),
      { numRuns: 60, seed: 7 },
    )
    assert.equal((await send(httpPort(proxy), { path: '/after' })).status, 200)
  })
})
