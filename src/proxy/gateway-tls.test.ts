/**
 * Gateway listeners terminating SIMPLE / MUTUAL TLS (files or a `credentialName` Secret), SIMPLE TLS
 * origination to an upstream, and AuthorizationPolicy on a gateway listener — through `startProxy`.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { compileAuthorization } from '../compile/security/authorization.ts'
import type { ProxyConfig } from '../proxyconfig/types.ts'
import { type CertificateAuthority, createRootCa, type IssuedCert } from '../security/ca.ts'
import { readTlsSecret, tlsSecret } from '../security/secret.ts'
import type { ProxyHandle } from './proxy.ts'
import { startProxy } from './proxy.ts'
import {
  cluster,
  endpoint,
  forwardRoute,
  httpConfig,
  send,
  startUpstream,
  type Upstream,
  vhost,
} from './test-support.ts'

function get(
  port: number,
  opts: { servername: string; ca: string; cert?: string; key?: string; path?: string },
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: opts.path ?? '/',
        servername: opts.servername,
        headers: { host: opts.servername },
        agent: false,
        ca: opts.ca,
        ...(opts.cert ? { cert: opts.cert, key: opts.key } : {}),
      },
      (res) => {
        let body = ''
        res.on('data', (c) => {
          body += c
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }))
    req.setTimeout(5000, () => req.destroy(new Error('timeout')))
    req.end()
  })
}

describe('gateway TLS and authorization', () => {
  let dir: string
  let gatewayCa: CertificateAuthority
  let clientCa: CertificateAuthority
  let serverCert: IssuedCert
  let app: Upstream
  const proxies: ProxyHandle[] = []
  const HOST = 'bookinfo.example.com'

  const gatewayConfig = (tls: NonNullable<ProxyConfig['listeners'][number]['tls']>): ProxyConfig => {
    const cfg = httpConfig(
      [vhost(`${HOST}:443`, [HOST], [forwardRoute('app')])],
      [cluster('app', [endpoint(app.port)])],
      { direction: 'gateway' },
    )
    cfg.listeners[0]!.tls = tls
    cfg.node = { ...cfg.node, role: 'gateway', namespace: 'istio-system' }
    return cfg
  }
  const start = async (config: ProxyConfig, extra: Partial<Parameters<typeof startProxy>[0]> = {}) => {
    const p = await startProxy({
      config,
      bind: () => ({ host: '127.0.0.1', port: 0 }),
      log: () => {},
      ...extra,
    })
    proxies.push(p)
    return p
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weir-gw-tls-'))
    gatewayCa = await createRootCa({ organization: 'example.com' })
    clientCa = await createRootCa({ organization: 'clients.example.com' })
    serverCert = await gatewayCa.issueServerCert({ dnsNames: [HOST] })
    await writeFile(join(dir, 'tls.crt'), serverCert.chainPem)
    await writeFile(join(dir, 'tls.key'), serverCert.keyPem, { mode: 0o600 })
    await writeFile(join(dir, 'ca.crt'), clientCa.rootPem)
    app = await startUpstream('productpage')
  })
  after(async () => {
    for (const p of proxies) await p.close()
    await app?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('SIMPLE from files: a client trusting the CA reaches the host; an untrusting one does not', async () => {
    const gw = await start(
      gatewayConfig({
        mode: 'SIMPLE',
        serverCertificate: join(dir, 'tls.crt'),
        privateKey: join(dir, 'tls.key'),
      }),
    )
    const port = gw.addresses().http!.port
    assert.deepEqual(await get(port, { servername: HOST, ca: gatewayCa.rootPem }), {
      status: 200,
      body: 'productpage',
    })
    assert.deepEqual(await get(port, { servername: 'other.example.com', ca: gatewayCa.rootPem }), {
      error: 'ERR_TLS_CERT_ALTNAME_INVALID',
    })
    assert.ok('error' in (await get(port, { servername: HOST, ca: clientCa.rootPem })))
  })

  it('MUTUAL: refuses a client without a certificate, accepts one from the client CA', async () => {
    const gw = await start(
      gatewayConfig({
        mode: 'MUTUAL',
        serverCertificate: join(dir, 'tls.crt'),
        privateKey: join(dir, 'tls.key'),
        caCertificates: join(dir, 'ca.crt'),
      }),
    )
    const port = gw.addresses().http!.port
    assert.ok('error' in (await get(port, { servername: HOST, ca: gatewayCa.rootPem })))
    const c = await clientCa.issueClientCert({ commonName: 'client.example.com' })
    assert.deepEqual(
      await get(port, { servername: HOST, ca: gatewayCa.rootPem, cert: c.chainPem, key: c.keyPem }),
      {
        status: 200,
        body: 'productpage',
      },
    )
  })

  it('SIMPLE from a credentialName Secret', async () => {
    const secret = tlsSecret('bookinfo-credential', 'istio-system', {
      certPem: serverCert.chainPem,
      keyPem: serverCert.keyPem,
    })
    assert.equal(secret.type, 'kubernetes.io/tls')
    assert.deepEqual(readTlsSecret({ stringData: { cert: 'C' } }), {
      error: 'secret has no tls.key (or key) key',
    })
    const read = readTlsSecret(secret)
    assert.ok(!('error' in read))
    const gw = await start(
      gatewayConfig({
        mode: 'SIMPLE',
        serverCertificate: '',
        privateKey: '',
        credentialName: 'bookinfo-credential',
      }),
      {
        credentials: (name, ns) =>
          name === 'bookinfo-credential' && ns === 'istio-system'
            ? { certificate: read.certPem, privateKey: read.keyPem }
            : undefined,
      },
    )
    assert.deepEqual(await get(gw.addresses().http!.port, { servername: HOST, ca: gatewayCa.rootPem }), {
      status: 200,
      body: 'productpage',
    })
  })

  it('missing certificate files are reported, not thrown', async () => {
    const cfg = gatewayConfig({
      mode: 'SIMPLE',
      serverCertificate: join(dir, 'nope.crt'),
      privateKey: join(dir, 'tls.key'),
    })
    let refused: unknown
    try {
      await start(cfg)
    } catch (e) {
      refused = e
    }
    assert.ok(refused instanceof Error && /nope\.crt|ENOENT/.test(refused.message), String(refused))
  })

  it('SIMPLE origination verifies the upstream certificate and name', async () => {
    const tlsUp = createHttpsServer({ cert: serverCert.chainPem, key: serverCert.keyPem }, (_req, res) => {
      res.end('secure')
    })
    await new Promise<void>((r) => tlsUp.listen(0, '127.0.0.1', r))
    try {
      const port = (tlsUp.address() as AddressInfo).port
      const out = (sni: string, ca: string) =>
        httpConfig(
          [vhost('ext', ['ext'], [forwardRoute('ext')])],
          [cluster('ext', [endpoint(port)], { tls: { mode: 'SIMPLE', sni, caCertificates: ca } })],
        )
      const ok = await start(out(HOST, gatewayCa.rootPem))
      assert.deepEqual(
        await send(ok.addresses().http!.port, { host: 'ext' }).then((r) => [r.status, r.body]),
        [200, 'secure'],
      )
      const wrongName = await start(out('other.example.com', gatewayCa.rootPem))
      assert.equal((await send(wrongName.addresses().http!.port, { host: 'ext' })).status, 503)
      const untrusted = await start(out(HOST, clientCa.rootPem))
      assert.equal((await send(untrusted.addresses().http!.port, { host: 'ext' })).status, 503)
    } finally {
      tlsUp.closeAllConnections()
      tlsUp.close()
    }
  })

  it('AuthorizationPolicy on a gateway listener: DENY a path ⇒ 403 RBAC, with the matched policy in the log', async () => {
    const log: string[] = []
    const cfg = httpConfig(
      [vhost('gw', ['*'], [forwardRoute('app')])],
      [cluster('app', [endpoint(app.port)])],
      { direction: 'gateway', mesh: { accessLog: { enabled: true, format: 'json' } } },
    )
    const spec = { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/private/*'] } }] }] }
    const body = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'deny-private', namespace: 'istio-system' },
      spec,
    }
    cfg.authz = compileAuthorization(
      [{ apiVersion: body.apiVersion, kind: body.kind, metadata: body.metadata, body }],
      { namespace: 'istio-system', labels: {} },
    )
    const gw = await startProxy({
      config: cfg,
      bind: () => ({ host: '127.0.0.1', port: 0 }),
      log: (l) => {
        log.push(l)
      },
    })
    proxies.push(gw)
    const port = gw.addresses().http!.port
    assert.equal((await send(port, { path: '/public' })).status, 200)
    const denied = await send(port, { path: '/x/../private/a' })
    assert.deepEqual([denied.status, denied.body], [403, 'RBAC: access denied'])
    for (let i = 0; i < 50 && !log.some((l) => l.includes('rbac_access_denied')); i++)
      await new Promise((r) => setTimeout(r, 10))
    assert.ok(
      log.some((l) =>
        l.includes('rbac_access_denied_matched_policy[ns[istio-system]-policy[deny-private]-rule[0]]'),
      ),
      log.join(''),
    )
  })
})
