/**
 * Istio mutual TLS and authorization between two real proxies (a client sidecar and a server sidecar),
 * certificates from the mesh CA (`src/security/ca.ts`), bytes between the sidecars captured by a relay.
 */
import assert from 'node:assert/strict'
import { request as httpsRequest } from 'node:https'
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { connect as tlsConnect } from 'node:tls'
import type { Resource } from '../api/resource.ts'
import { compileAuthorization } from '../compile/security/authorization.ts'
import type { CompiledAuthz } from '../proxyconfig/security.ts'
import type { Cluster, ProxyConfig, TcpListener } from '../proxyconfig/types.ts'
import { type CertificateAuthority, createRootCa, type IssuedCert } from '../security/ca.ts'
import type { ProxyHandle } from './proxy.ts'
import { startProxy } from './proxy.ts'
import type { WorkloadCerts } from './security.ts'
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

const TD = 'cluster.local'
const SECRET = 'top-secret-ballot-7f3a9c'
const id = (sa: string) => `spiffe://${TD}/ns/default/sa/${sa}`
const wc = (c: IssuedCert, ca: CertificateAuthority): WorkloadCerts => ({
  certChain: c.chainPem,
  privateKey: c.keyPem,
  rootCerts: ca.trustBundlePem,
})

/** A TCP relay that records every byte crossing it (both directions). */
interface Relay {
  port: number
  bytes(): Buffer
  close(): Promise<void>
}
async function startRelay(target: () => number): Promise<Relay> {
  const seen: Buffer[] = []
  const socks = new Set<Socket>()
  const server = createServer((c) => {
    const u = connect(target(), '127.0.0.1')
    for (const s of [c, u]) {
      socks.add(s)
      s.on('error', () => {
        c.destroy()
        u.destroy()
      })
      s.on('data', (d: Buffer) => seen.push(Buffer.from(d)))
      s.once('close', () => socks.delete(s))
    }
    c.pipe(u)
    u.pipe(c)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as AddressInfo).port,
    bytes: () => Buffer.concat(seen),
    close: () =>
      new Promise((r) => {
        for (const s of socks) s.destroy()
        server.close(() => r())
      }),
  }
}

async function startEcho(greeting?: string): Promise<Server> {
  const server = createServer((s) => {
    s.on('error', () => {})
    if (greeting) s.write(greeting)
    s.pipe(s)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return server
}
const portOf = (s: Server) => (s.address() as AddressInfo).port

/** Connects, writes `data` (unless silent), and resolves with what came back before close or `ms`. */
function exchangeTcp(port: number, data: string | undefined, tls?: object, ms = 3000): Promise<string> {
  return new Promise((resolve) => {
    let out = ''
    const s: Socket = tls
      ? tlsConnect({ host: '127.0.0.1', port, checkServerIdentity: () => undefined, ...tls })
      : connect(port, '127.0.0.1')
    s.on(tls ? 'secureConnect' : 'connect', () => {
      if (data !== undefined) s.write(data)
    })
    s.on('data', (d) => {
      out += d
      if (data === undefined || out.length >= data.length) s.end()
    })
    const done = () => resolve(out)
    s.on('error', done)
    s.on('close', done)
    setTimeout(() => s.destroy(), ms).unref()
  })
}

/** An HTTPS request straight to a sidecar port with a client certificate (a raw path is sent as is). */
function direct(
  port: number,
  path: string,
  certs: WorkloadCerts | undefined,
  rootCerts: string,
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        headers: { host: 'reviews' },
        agent: false,
        ca: rootCerts,
        ...(certs ? { cert: certs.certChain, key: certs.privateKey } : {}),
        checkServerIdentity: () => undefined,
      },
      (res) => {
        let body = ''
        res.on('data', (c) => {
          body += c
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', (e) => resolve({ error: e.message }))
    req.setTimeout(5000, () => req.destroy(new Error('timeout')))
    req.end()
  })
}

function policy(name: string, spec: Record<string, unknown>): Resource {
  const body = {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: 'default' },
    spec,
  }
  return { apiVersion: body.apiVersion, kind: body.kind, metadata: body.metadata, body }
}
const authzOf = (...p: Resource[]): CompiledAuthz =>
  compileAuthorization(p, { namespace: 'default', labels: { app: 'reviews' } }, { trustDomain: TD })

function serverConfig(appPort: number, echoPort: number, mode: 'STRICT' | 'PERMISSIVE'): ProxyConfig {
  const service = { host: 'reviews.default.svc.cluster.local', name: 'reviews', namespace: 'default' }
  const cfg = httpConfig(
    [vhost('inbound|http|9080', ['*'], [forwardRoute('inbound|9080||')], { service })],
    [
      cluster('inbound|9080||', [endpoint(appPort)], { direction: 'inbound' }),
      cluster('inbound|6379||', [endpoint(echoPort)], { direction: 'inbound', protocol: 'tcp' }),
    ],
    { direction: 'inbound' },
  )
  const tls = { mode: 'ISTIO_MUTUAL' as const, peerAuthentication: mode }
  cfg.listeners[0]!.tls = tls
  const tcp: TcpListener = {
    name: 'tcp',
    direction: 'inbound',
    address: '127.0.0.1',
    port: 6379,
    protocol: 'tcp',
    routes: [],
    defaultCluster: 'inbound|6379||',
    service: { ...service, port: 6379 },
    tls,
  }
  cfg.listeners.push(tcp)
  cfg.node = { ...cfg.node, workload: 'reviews-v1', serviceAccount: 'reviews', identity: id('reviews') }
  return cfg
}

function clientConfig(httpTarget: number, tcpTarget: number, tls: Cluster['tls']): ProxyConfig {
  const ep = (port: number) =>
    endpoint(port, {
      tlsMode: 'istio',
      workload: { name: 'reviews-v1', namespace: 'default', serviceAccount: 'reviews' },
    })
  const cfg = httpConfig(
    [
      vhost('reviews:9080', ['reviews'], [forwardRoute('outbound|9080||reviews')], {
        service: { host: 'reviews.default.svc.cluster.local', name: 'reviews', namespace: 'default' },
      }),
    ],
    [
      cluster('outbound|9080||reviews', [ep(httpTarget)], tls ? { tls } : {}),
      cluster('outbound|6379||reviews', [ep(tcpTarget)], { protocol: 'tcp', ...(tls ? { tls } : {}) }),
    ],
  )
  cfg.listeners.push({
    name: 'tcp',
    direction: 'outbound',
    address: '127.0.0.1',
    port: 6379,
    protocol: 'tcp',
    routes: [],
    defaultCluster: 'outbound|6379||reviews',
  })
  cfg.node = { ...cfg.node, serviceAccount: 'productpage', identity: id('productpage') }
  return cfg
}

const MUTUAL = {
  mode: 'ISTIO_MUTUAL' as const,
  sni: 'outbound_.9080_._.reviews.default.svc.cluster.local',
  subjectAltNames: [id('reviews')],
}

describe('Istio mutual TLS and authorization between two sidecars', () => {
  let ca: Awaited<ReturnType<typeof createRootCa>>
  let foreign: CertificateAuthority
  const certs: Record<string, WorkloadCerts> = {}
  let app: Upstream
  let echo: Server
  let server: ProxyHandle
  let client: ProxyHandle
  let httpRelay: Relay
  let tcpRelay: Relay
  const started: ProxyHandle[] = []
  const start = async (config: ProxyConfig, workloadCerts?: WorkloadCerts) => {
    const p = await startProxy({
      config,
      bind: () => ({ host: '127.0.0.1', port: 0 }),
      ...(workloadCerts ? { workloadCerts } : {}),
      log: () => {},
    })
    started.push(p)
    return p
  }

  before(async () => {
    ca = await createRootCa()
    foreign = await createRootCa({ organization: 'evil.example' })
    for (const sa of ['reviews', 'productpage', 'intruder'])
      certs[sa] = wc(
        await ca.issueWorkloadCert({ trustDomain: TD, namespace: 'default', serviceAccount: sa }),
        ca,
      )
    app = await startUpstream('reviews', (req, res, body) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end(`${SECRET}-response ${body.length} ${req.headers['x-forwarded-client-cert'] ?? 'no-xfcc'}`)
    })
    echo = await startEcho()
    server = await start(serverConfig(app.port, portOf(echo), 'STRICT'), certs.reviews)
    httpRelay = await startRelay(() => server.addresses().http!.port)
    tcpRelay = await startRelay(() => server.addresses().tcp!.port)
    client = await start(clientConfig(httpRelay.port, tcpRelay.port, MUTUAL), certs.productpage)
  })
  after(async () => {
    for (const p of started) await p.close()
    await httpRelay?.close()
    await tcpRelay?.close()
    await app?.close()
    echo?.close()
  })

  it('HTTP over mTLS: the body never crosses in plaintext; the app gets XFCC; principals are reported', async () => {
    const r = await send(client.addresses().http!.port, { host: 'reviews', method: 'POST', body: SECRET })
    assert.equal(r.status, 200)
    assert.match(
      r.body,
      new RegExp(
        `^${SECRET}-response ${SECRET.length} By=spiffe://cluster.local/ns/default/sa/reviews;Hash=[0-9a-f]{64};Subject="[^"]*";URI=spiffe://cluster.local/ns/default/sa/productpage$`,
      ),
    )
    const wire = httpRelay.bytes()
    assert.ok(wire.length > 0)
    assert.equal(wire.indexOf(SECRET), -1, 'the secret crossed the wire in plaintext')
    assert.equal(wire[0], 0x16, 'a TLS handshake record')
    assert.notEqual(wire.indexOf('outbound_.9080_._.reviews.default.svc.cluster.local'), -1, 'Istio SNI')
    const dst = (await send(server.adminAddress().port, { path: '/stats/prometheus' })).body
    assert.match(
      dst,
      /istio_requests_total\{reporter="destination",.*source_principal="spiffe:\/\/cluster.local\/ns\/default\/sa\/productpage".*destination_principal="spiffe:\/\/cluster.local\/ns\/default\/sa\/reviews".*connection_security_policy="mutual_tls"\}/,
    )
    const src = (await send(client.adminAddress().port, { path: '/stats/prometheus' })).body
    assert.match(
      src,
      /reporter="source",.*destination_principal="spiffe:\/\/cluster.local\/ns\/default\/sa\/reviews"/,
    )
  })

  it('HTTP/2 over mTLS (ALPN h2): principal and XFCC reach the app', async () => {
    const cfg = clientConfig(httpRelay.port, tcpRelay.port, MUTUAL)
    cfg.clusters['outbound|9080||reviews']!.protocol = 'http2'
    const h2client = await start(cfg, certs.productpage)
    for (let i = 0; i < 3; i++) {
      const r = await send(h2client.addresses().http!.port, { host: 'reviews' })
      assert.equal(r.status, 200)
      assert.match(r.body, /URI=spiffe:\/\/cluster.local\/ns\/default\/sa\/productpage$/)
    }
  })

  it('TCP over mTLS (Redis-like): echoed end to end, never in plaintext between the sidecars', async () => {
    const got = await exchangeTcp(client.addresses().tcp!.port, `SET vote ${SECRET}\r\n`)
    assert.equal(got, `SET vote ${SECRET}\r\n`)
    const wire = tcpRelay.bytes()
    assert.ok(wire.length > 0)
    assert.equal(wire.indexOf(SECRET), -1)
  })

  it('TCP over mTLS, server-first (MySQL-like): the greeting reaches a silent client', async () => {
    const greeter = await startEcho('mysql-greeting\n')
    try {
      const srv = await start(serverConfig(app.port, portOf(greeter), 'STRICT'), certs.reviews)
      const cli = await start(
        clientConfig(srv.addresses().http!.port, srv.addresses().tcp!.port, MUTUAL),
        certs.productpage,
      )
      assert.equal(await exchangeTcp(cli.addresses().tcp!.port, undefined), 'mysql-greeting\n')
    } finally {
      greeter.close()
    }
  })

  it('STRICT refuses plaintext and clients without a valid mesh certificate', async () => {
    const port = server.addresses().http!.port
    await assert.rejects(send(port, { host: 'reviews' }), { code: 'ECONNRESET' })
    assert.equal(await exchangeTcp(server.addresses().tcp!.port, 'PING\r\n'), '', 'plaintext TCP closed')
    const root = ca.trustBundlePem
    assert.ok('error' in (await direct(port, '/', undefined, root)), 'no client certificate')
    const evil = wc(
      await foreign.issueWorkloadCert({
        trustDomain: TD,
        namespace: 'default',
        serviceAccount: 'productpage',
      }),
      foreign,
    )
    assert.ok('error' in (await direct(port, '/', evil, root)), 'foreign CA')
    const expired = wc(
      await ca.issueWorkloadCert({
        trustDomain: TD,
        namespace: 'default',
        serviceAccount: 'productpage',
        notBefore: new Date(Date.now() - 3 * 3600_000),
        ttlMs: 3600_000,
      }),
      ca,
    )
    assert.ok('error' in (await direct(port, '/', expired, root)), 'expired certificate')
    assert.equal(
      await exchangeTcp(server.addresses().tcp!.port, 'PING\r\n', {
        cert: evil.certChain,
        key: evil.privateKey,
        ca: root,
      }),
      '',
    )
    const ok = await direct(port, '/', certs.intruder, root)
    assert.ok('status' in ok && ok.status === 200, 'a valid mesh certificate is accepted')
  })

  it('a refused plaintext connection is logged as NR filter_chain_not_found', async () => {
    const lines: string[] = []
    const cfg = serverConfig(app.port, portOf(echo), 'STRICT')
    cfg.mesh.accessLog = { enabled: true, format: 'text' }
    const p = await startProxy({
      config: cfg,
      bind: () => ({ host: '127.0.0.1', port: 0 }),
      workloadCerts: certs.reviews!,
      log: (l) => {
        lines.push(l)
      },
    })
    started.push(p)
    await assert.rejects(send(p.addresses().http!.port, { host: 'reviews' }))
    assert.equal(await exchangeTcp(p.addresses().tcp!.port, 'PING\r\n'), '')
    const refused = lines.filter((l) => / 0 NR filter_chain_not_found - /.test(l))
    assert.equal(refused.length, 2, lines.join(''))
  })

  it('PERMISSIVE accepts plaintext and mTLS on one port; a silent (server-first) TCP client is served', async () => {
    const greeter = await startEcho('mysql-greeting\n')
    try {
      const p = await start(serverConfig(app.port, portOf(greeter), 'PERMISSIVE'), certs.reviews)
      const plain = await send(p.addresses().http!.port, { host: 'reviews' })
      assert.equal(plain.status, 200)
      assert.match(plain.body, /no-xfcc$/)
      const mtls = await direct(p.addresses().http!.port, '/', certs.productpage, ca.trustBundlePem)
      assert.ok(
        'status' in mtls &&
          mtls.status === 200 &&
          /URI=spiffe:\/\/cluster.local\/ns\/default\/sa\/productpage$/.test(mtls.body),
      )
      assert.equal(await exchangeTcp(p.addresses().tcp!.port, undefined, undefined, 4000), 'mysql-greeting\n')
    } finally {
      greeter.close()
    }
  })

  it('a client pinning another server identity, or sending plaintext (DR DISABLE) to STRICT, gets 503', async () => {
    const pinned = await start(
      clientConfig(server.addresses().http!.port, server.addresses().tcp!.port, {
        ...MUTUAL,
        subjectAltNames: [id('ratings')],
      }),
      certs.productpage,
    )
    assert.equal((await send(pinned.addresses().http!.port, { host: 'reviews' })).status, 503)
    const disabled = await start(
      clientConfig(server.addresses().http!.port, server.addresses().tcp!.port, undefined),
      certs.productpage,
    )
    const r = await send(disabled.addresses().http!.port, { host: 'reviews' })
    assert.equal(r.status, 503)
    assert.equal(await exchangeTcp(disabled.addresses().tcp!.port, 'PING\r\n'), '')
  })

  it('AuthorizationPolicy: ALLOW one principal (HTTP 403 / TCP closed for another); DENY a path after normalisation', async (t) => {
    const base = server.config()
    t.after(() => {
      server.applyConfig(base)
    })
    const allow = policy('allow-productpage', {
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/productpage'] } }] }],
    })
    const denyAdmin = policy('deny-admin', {
      action: 'DENY',
      rules: [{ to: [{ operation: { paths: ['/admin*'] } }] }],
    })
    assert.deepEqual(server.applyConfig({ ...base, authz: authzOf(allow) }), { ok: true })
    const port = server.addresses().http!.port
    const tcpPort = server.addresses().tcp!.port
    const root = ca.trustBundlePem
    const intruder = { cert: certs.intruder!.certChain, key: certs.intruder!.privateKey, ca: root }
    assert.equal((await send(client.addresses().http!.port, { host: 'reviews' })).status, 200)
    assert.deepEqual(await direct(port, '/', certs.intruder, root), {
      status: 403,
      body: 'RBAC: access denied',
    })
    assert.equal(
      await exchangeTcp(client.addresses().tcp!.port, 'PING\r\n'),
      'PING\r\n',
      'allowed principal on TCP',
    )
    assert.equal(await exchangeTcp(tcpPort, 'PING\r\n', intruder), '', 'denied principal: TCP closed')

    assert.deepEqual(server.applyConfig({ ...base, authz: authzOf(allow, denyAdmin) }), { ok: true })
    assert.equal(
      (await send(client.addresses().http!.port, { host: 'reviews', path: '/admin2/../ok' })).status,
      200,
    )
    for (const path of ['/admin', '/a/../admin', '/./admin/x', '/%61dmin'])
      assert.deepEqual(
        await direct(port, path, certs.productpage, root),
        { status: 403, body: 'RBAC: access denied' },
        path,
      )
    assert.equal(
      (await send(client.addresses().http!.port, { host: 'reviews', path: '/a/../admin' })).status,
      403,
    )
    // A DENY rule's HTTP-only fields do not narrow it on TCP: the whole TCP port is denied (as Istio).
    assert.equal(await exchangeTcp(client.addresses().tcp!.port, 'PING\r\n'), '')

    // Source addresses are known on mTLS connections too (ipBlocks).
    const denyLocal = policy('deny-local', {
      action: 'DENY',
      rules: [{ from: [{ source: { ipBlocks: ['127.0.0.0/8'] } }] }],
    })
    assert.deepEqual(server.applyConfig({ ...base, authz: authzOf(denyLocal) }), { ok: true })
    assert.equal((await send(client.addresses().http!.port, { host: 'reviews' })).status, 403)
  })

  it('rotating both workload certificates under steady load loses no request', async () => {
    const statuses: number[] = []
    let stop = false
    const worker = async () => {
      for (let i = 0; i < 200 && !stop; i++) {
        const r = await send(client.addresses().http!.port, { host: 'reviews' }).catch(() => ({ status: 0 }))
        statuses.push(r.status)
      }
    }
    const load = Promise.all([worker(), worker(), worker()])
    for (let round = 0; round < 4; round++) {
      const before = statuses.length
      for (let i = 0; i < 50 && statuses.length < before + 5; i++) await new Promise((r) => setTimeout(r, 10))
      server.setWorkloadCerts(
        wc(
          await ca.issueWorkloadCert({ trustDomain: TD, namespace: 'default', serviceAccount: 'reviews' }),
          ca,
        ),
      )
      client.setWorkloadCerts(
        wc(
          await ca.issueWorkloadCert({
            trustDomain: TD,
            namespace: 'default',
            serviceAccount: 'productpage',
          }),
          ca,
        ),
      )
    }
    stop = true
    await load
    assert.ok(statuses.length >= 20, `only ${statuses.length} requests`)
    assert.deepEqual(
      statuses.filter((s) => s !== 200),
      [],
    )
  })
})
