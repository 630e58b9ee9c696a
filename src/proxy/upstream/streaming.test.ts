import assert from 'node:assert/strict'
import { createServer, request, type Server } from 'node:http'
import { connect } from 'node:net'
import { after, before, describe, it } from 'node:test'
import type { ProxyHandle } from '../proxy.ts'
import {
  cluster,
  endpoint,
  forwardRoute,
  httpConfig,
  httpPort,
  startTestProxy,
  startUpstream,
  type Upstream,
  vhost,
} from '../test-support.ts'

describe('streaming: WebSocket upgrade, large bodies, backpressure', () => {
  let ws: Server
  let wsPort = 0
  let big: Server
  let bigPort = 0
  let written = 0
  let echo: Upstream
  let proxy: ProxyHandle
  before(async () => {
    ws = createServer((_req, res) => res.end('not upgraded'))
    ws.on('upgrade', (req, socket) => {
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nupgrade: ${req.headers.upgrade}\r\nconnection: Upgrade\r\n\r\n`,
      )
      socket.on('data', (d) => socket.write(`echo:${d}`))
    })
    await new Promise<void>((r) => ws.listen(0, '127.0.0.1', () => r()))
    wsPort = (ws.address() as { port: number }).port
    // Writes 1 MiB chunks as long as the socket accepts them (bounded to 256 MiB).
    big = createServer((_req, res) => {
      res.writeHead(200)
      const chunk = Buffer.alloc(1024 * 1024, 120)
      const pump = () => {
        while (written < 256 * 1024 * 1024) {
          written += chunk.length
          if (!res.write(chunk)) return void res.once('drain', pump)
        }
        res.end()
      }
      pump()
      res.on('close', () => {})
    })
    await new Promise<void>((r) => big.listen(0, '127.0.0.1', () => r()))
    bigPort = (big.address() as { port: number }).port
    echo = await startUpstream('echo', (_req, res, body) => {
      res.writeHead(200)
      res.end(String(body.length))
    })
    proxy = await startTestProxy(
      httpConfig(
        [
          vhost(
            'svc',
            ['svc'],
            [
              forwardRoute('ws', {}, { match: { path: { kind: 'prefix', value: '/ws' } } }),
              forwardRoute('big', {}, { match: { path: { kind: 'prefix', value: '/big' } } }),
              forwardRoute(
                'echo',
                {
                  retry: {
                    numRetries: 2,
                    retryOn: ['5xx'],
                    retriableStatusCodes: [],
                    retryOtherHosts: true,
                    backoffBaseMs: 1,
                  },
                },
                { match: { path: { kind: 'prefix', value: '/upload' } } },
              ),
            ],
          ),
        ],
        [
          cluster('ws', [endpoint(wsPort)]),
          cluster('big', [endpoint(bigPort)]),
          cluster('echo', [endpoint(echo.port)]),
        ],
      ),
    )
  })
  after(async () => {
    await proxy.close()
    ws.closeAllConnections()
    ws.close()
    big.closeAllConnections()
    big.close()
    await echo.close()
  })

  it('upgrades to WebSocket and splices bytes both ways', async () => {
    const s = connect(httpPort(proxy), '127.0.0.1')
    let got = ''
    const done = new Promise<void>((resolve, reject) => {
      s.setTimeout(5000, () => reject(new Error(`timeout, got ${JSON.stringify(got)}`)))
      s.on('data', (d) => {
        got += d
        if (got.includes('\r\n\r\n') && !got.includes('echo:')) s.write('ping')
        if (got.includes('echo:ping')) resolve()
      })
    })
    s.write(
      'GET /ws HTTP/1.1\r\nHost: svc\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n',
    )
    await done
    s.destroy()
    assert.match(got, /^HTTP\/1\.1 101 /)
  })

  it('streams a body larger than the retry buffer (no retry) and buffers a small one', async () => {
    const post = (size: number) =>
      new Promise<string>((resolve, reject) => {
        const req = request(
          {
            port: httpPort(proxy),
            host: '127.0.0.1',
            path: '/upload',
            method: 'POST',
            headers: { host: 'svc' },
            agent: false,
          },
          (res) => {
            let b = ''
            res.on('data', (d) => {
              b += d
            })
            res.on('end', () => resolve(b))
          },
        )
        req.on('error', reject)
        req.end(Buffer.alloc(size, 97))
      })
    assert.equal(await post(1000), '1000')
    assert.equal(await post(2 * 1024 * 1024), String(2 * 1024 * 1024))
  })

  it('a slow reader holds the upstream back (backpressure), not the proxy’s memory', async () => {
    written = 0
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = request(
        { port: httpPort(proxy), host: '127.0.0.1', path: '/big', headers: { host: 'svc' }, agent: false },
        resolve,
      )
      req.on('error', reject)
      req.end()
    })
    res.pause()
    // Let the pipe fill up while nobody reads.
    for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 10))
    const stalled = written
    assert.ok(stalled < 64 * 1024 * 1024, `upstream wrote ${stalled} bytes to a paused client`)
    res.destroy()
  })
})
