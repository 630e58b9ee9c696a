import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { describe, it } from 'node:test'
import { connect as tlsConnect } from 'node:tls'
import { cluster, endpoint, httpConfig, startTestProxy } from '../test-support.ts'
import { parseSni, sniMatches } from './sni.ts'

/** A TCP server remembering the first bytes of each connection. */
function recorder(): Promise<{ server: Server; port: number; firsts: Buffer[] }> {
  const firsts: Buffer[] = []
  const server = createServer((s) => {
    s.once('data', (d: Buffer) => {
      firsts.push(d)
      s.destroy()
    })
    s.on('error', () => {})
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port, firsts }),
    ),
  )
}

function hello(port: number, servername: string): Promise<void> {
  return new Promise((resolve) => {
    const s = tlsConnect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false })
    s.on('error', () => resolve())
    s.on('close', () => resolve())
    s.setTimeout(3000, () => s.destroy())
  })
}

describe('SNI routing for TLS passthrough', () => {
  it('parses the server name of a real ClientHello', async () => {
    const rec = await recorder()
    try {
      await hello(rec.port, 'API.Example.com')
      assert.equal(parseSni(rec.firsts[0]!), 'api.example.com')
      assert.equal(parseSni(Buffer.from('GET / HTTP/1.1\r\n\r\n')), undefined)
      assert.equal(sniMatches(['*.example.com'], 'api.example.com'), true)
      assert.equal(sniMatches(['*.example.com'], 'example.com'), false)
    } finally {
      rec.server.close()
    }
  })

  it('routes by sniHosts, else the default cluster', async () => {
    const a = await recorder()
    const b = await recorder()
    const proxy = await startTestProxy(
      httpConfig(
        [],
        [
          cluster('a', [endpoint(a.port)], { protocol: 'tcp' }),
          cluster('b', [endpoint(b.port)], { protocol: 'tcp' }),
        ],
        {
          tcp: [
            {
              name: 'tls',
              direction: 'gateway',
              address: '0.0.0.0',
              port: 0,
              protocol: 'tcp',
              routes: [{ match: { sniHosts: ['*.b.example'] }, backends: [{ cluster: 'b', weight: 1 }] }],
              defaultCluster: 'a',
            },
          ],
        },
      ),
    )
    try {
      const port = proxy.addresses().tls!.port
      await hello(port, 'www.b.example')
      await hello(port, 'other.example')
      for (let i = 0; i < 100 && (a.firsts.length < 1 || b.firsts.length < 1); i++)
        await new Promise((r) => setTimeout(r, 10))
      assert.equal(parseSni(b.firsts[0]!), 'www.b.example')
      assert.equal(parseSni(a.firsts[0]!), 'other.example')
    } finally {
      await proxy.close()
      a.server.close()
      b.server.close()
    }
  })
})
