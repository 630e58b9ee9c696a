import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { connect, createServer, type Http2Server, type IncomingHttpHeaders } from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { ProxyConfig } from '../../proxyconfig/types.ts'
import { type ProxyHandle, startProxy } from '../proxy.ts'
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

interface H2Reply {
  headers: IncomingHttpHeaders
  trailers: IncomingHttpHeaders
  body: string
}

function h2Get(
  url: string,
  path: string,
  headers: Record<string, string> = {},
  ca?: string,
): Promise<H2Reply> {
  return new Promise((resolve, reject) => {
    const session = connect(url, ca ? { ca, servername: 'svc' } : {})
    session.on('error', reject)
    const req = session.request({ ':path': path, ':authority': 'svc', ...headers })
    let got: IncomingHttpHeaders = {}
    let trailers: IncomingHttpHeaders = {}
    let body = ''
    req.on('response', (h) => {
      got = h
    })
    req.on('trailers', (t) => {
      trailers = t
    })
    req.on('data', (d) => {
      body += d
    })
    req.on('end', () => {
      session.close()
      resolve({ headers: got, trailers, body })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('HTTP/2: h2c prior knowledge, gRPC trailers, ALPN over TLS', () => {
  let h1: Upstream
  let grpc: Http2Server
  let grpcPort = 0
  let proxy: ProxyHandle
  let config: ProxyConfig
  before(async () => {
    h1 = await startUpstream('h1')
    grpc = createServer()
    grpc.on('stream', (stream, headers) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'ok' }))
      stream.end(`grpc:${headers[':path']}`)
    })
    await new Promise<void>((r) => grpc.listen(0, '127.0.0.1', () => r()))
    grpcPort = (grpc.address() as { port: number }).port
    config = httpConfig(
      [
        vhost(
          'svc',
          ['svc'],
          [
            forwardRoute('grpc', {}, { match: { path: { kind: 'prefix', value: '/pkg.Service/' } } }),
            forwardRoute('h1'),
          ],
        ),
      ],
      [cluster('h1', [endpoint(h1.port)]), cluster('grpc', [endpoint(grpcPort)], { protocol: 'http2' })],
    )
    proxy = await startTestProxy(config)
  })
  after(async () => {
    await proxy.close()
    await h1.close()
    grpc.close()
  })

  it('serves h2c (prior knowledge) to an HTTP/1.1 upstream', async () => {
    const r = await h2Get(`http://127.0.0.1:${httpPort(proxy)}`, '/x')
    assert.equal(r.headers[':status'], 200)
    assert.equal(r.body, 'h1')
    assert.equal(h1.requests.at(-1)!.headers.host, 'svc')
  })

  it('passes gRPC trailers through from an HTTP/2 upstream', async () => {
    const r = await h2Get(`http://127.0.0.1:${httpPort(proxy)}`, '/pkg.Service/Method', {
      ':method': 'POST',
      'content-type': 'application/grpc',
    })
    assert.equal(r.headers[':status'], 200)
    assert.equal(r.body, 'grpc:/pkg.Service/Method')
    assert.equal(r.trailers['grpc-status'], '0')
    assert.equal(r.trailers['grpc-message'], 'ok')
  })

  it('negotiates h2 by ALPN on a SIMPLE TLS listener', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'weir-tls-'))
    try {
      try {
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'ec',
            '-pkeyopt',
            'ec_paramgen_curve:prime256v1',
            '-nodes',
            '-days',
            '1',
            '-subj',
            '/CN=svc',
            '-addext',
            'subjectAltName=DNS:svc',
            '-keyout',
            join(dir, 'key.pem'),
            '-out',
            join(dir, 'cert.pem'),
          ],
          { stdio: 'ignore' },
        )
      } catch {
        t.skip('openssl is not installed')
        return
      }
      const cert = await readFile(join(dir, 'cert.pem'), 'utf8')
      const key = await readFile(join(dir, 'key.pem'), 'utf8')
      const tlsConfig: ProxyConfig = structuredClone(config)
      tlsConfig.listeners[0]!.tls = { mode: 'SIMPLE', serverCertificate: cert, privateKey: key }
      const p = await startTestProxy(tlsConfig)
      try {
        const r = await h2Get(`https://127.0.0.1:${httpPort(p)}`, '/x', {}, cert)
        assert.equal(r.body, 'h1')
        assert.equal(h1.requests.at(-1)!.headers['x-forwarded-proto'], 'https')
        const dump = (await send(p.adminAddress().port, { path: '/config_dump' })).body
        assert.match(dump, /"privateKey": "\[redacted\]"/)
        assert.ok(!dump.includes('PRIVATE KEY'))
      } finally {
        await p.close()
      }
      // The same by file paths, and by a gateway credentialName resolved by the runtime.
      const byPath: ProxyConfig = structuredClone(config)
      byPath.listeners[0]!.tls = {
        mode: 'SIMPLE',
        serverCertificate: join(dir, 'cert.pem'),
        privateKey: join(dir, 'key.pem'),
      }
      const byName: ProxyConfig = structuredClone(config)
      byName.listeners[0]!.tls = {
        mode: 'SIMPLE',
        serverCertificate: '',
        privateKey: '',
        credentialName: 'shop-cert',
      }
      for (const c of [byPath, byName]) {
        const q = await startProxy({
          config: c,
          bind: () => ({ host: '127.0.0.1', port: 0 }),
          credentials: (name, ns) =>
            name === 'shop-cert' && ns === 'default' ? { certificate: cert, privateKey: key } : undefined,
          log: () => {},
        })
        try {
          assert.equal((await h2Get(`https://127.0.0.1:${httpPort(q)}`, '/x', {}, cert)).body, 'h1')
        } finally {
          await q.close()
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
