import assert from 'node:assert/strict'
import { createServer as createHttpServer, request } from 'node:http'
import { type AddressInfo, connect as netConnect } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls'
import { compileAuthorization } from '../../compile/security/authorization.ts'
import { type CertificateAuthority, createRootCa, type IssuedCert } from '../../security/ca.ts'
import { authorize, rbacDeniedResponse } from './authz.ts'
import { peerIdentity, xfccValue } from './identity.ts'
import { createMeshListener, type MeshListener, type PeerAuthMode } from './listener.ts'
import { handOffPlaintext } from './peek.ts'
import { istioSni, meshClientOptions, type WorkloadCredentials } from './tls.ts'

const TD = 'cluster.local'
let ca: CertificateAuthority
let foreign: CertificateAuthority
let server: WorkloadCredentials
let client: WorkloadCredentials
const creds = (c: IssuedCert, bundle = ca.trustBundlePem): WorkloadCredentials => ({
  certChainPem: c.chainPem,
  keyPem: c.keyPem,
  trustBundlePem: bundle,
})
const open: MeshListener[] = []

before(async () => {
  ca = await createRootCa()
  foreign = await createRootCa({ organization: 'evil.example' })
  server = creds(
    await ca.issueWorkloadCert({ trustDomain: TD, namespace: 'voting', serviceAccount: 'voting-storage' }),
  )
  client = creds(
    await ca.issueWorkloadCert({ trustDomain: TD, namespace: 'voting', serviceAccount: 'voting-app' }),
  )
})
after(() => {
  for (const l of open) l.server.close()
})

/** A listener whose TLS side greets with the peer identity (after an authorization check) and whose plaintext side greets `plain`. */
async function listenWith(serverCreds: WorkloadCredentials): Promise<number> {
  const l = createMeshListener({
    mode: 'STRICT',
    creds: serverCreds,
    onSecure: (s) => s.end('hello'),
    onPlaintext: (s) => s.destroy(),
  })
  open.push(l)
  await new Promise<void>((r) => l.server.listen(0, '127.0.0.1', r))
  return (l.server.address() as AddressInfo).port
}

async function listen(mode: PeerAuthMode, authzYaml?: Record<string, unknown>): Promise<number> {
  const compiled = compileAuthorization(
    authzYaml
      ? [
          {
            apiVersion: 'security.istio.io/v1',
            kind: 'AuthorizationPolicy',
            metadata: { name: 'p', namespace: 'voting' },
            body: { spec: authzYaml },
          },
        ]
      : [],
    { namespace: 'voting', labels: {} },
  )
  const l = createMeshListener({
    mode,
    creds: server,
    onSecure: (s: TLSSocket) => {
      const d = authorize(compiled, {
        protocol: 'tcp',
        principal: peerIdentity(s),
        sourceIp: s.remoteAddress ?? '',
        port: 6379,
      })
      if (!d.allowed) return s.destroy()
      s.end(`hello ${peerIdentity(s)}`)
    },
    onPlaintext: (s) => {
      s.resume()
      s.end('plain')
    },
  })
  open.push(l)
  await new Promise<void>((r) => l.server.listen(0, '127.0.0.1', r))
  return (l.server.address() as AddressInfo).port
}

/** Connects, sends a line, and returns what came back before the connection ended (bounded: 5 s). */
function exchange(
  port: number,
  tls: ConnectionOptions | undefined,
): Promise<{ data: string; error?: string }> {
  return new Promise((resolve) => {
    let data = ''
    let error: string | undefined
    const s = tls ? tlsConnect({ host: '127.0.0.1', port, ...tls }) : netConnect({ host: '127.0.0.1', port })
    const timer = setTimeout(() => s.destroy(new Error('timeout')), 5000)
    s.on(tls ? 'secureConnect' : 'connect', () => s.write('PING\r\n'))
    s.on('data', (d) => {
      data += d
    })
    s.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message
    })
    s.on('close', () => {
      clearTimeout(timer)
      resolve(error ? { data, error } : { data })
    })
  })
}

describe('STRICT listener', () => {
  it('accepts a mesh client and reports its SPIFFE identity', async () => {
    const port = await listen('STRICT')
    const r = await exchange(
      port,
      meshClientOptions(client, { sni: istioSni(6379, 'v1-0', 'voting-storage.voting.svc.cluster.local') }),
    )
    assert.equal(r.data, `hello spiffe://${TD}/ns/voting/sa/voting-app`)
  })

  it('refuses a client without a certificate', async () => {
    const port = await listen('STRICT')
    const r = await exchange(port, { ca: ca.trustBundlePem, checkServerIdentity: () => undefined })
    assert.equal(r.data, '')
    assert.ok(r.error, 'the client sees an error')
  })

  it('refuses a certificate from a foreign CA', async () => {
    const port = await listen('STRICT')
    const evil = await foreign.issueWorkloadCert({
      trustDomain: TD,
      namespace: 'voting',
      serviceAccount: 'voting-app',
    })
    const r = await exchange(port, { ...meshClientOptions(creds(evil, ca.trustBundlePem)) })
    assert.equal(r.data, '')
  })

  it('refuses an expired certificate', async () => {
    const port = await listen('STRICT')
    const old = await ca.issueWorkloadCert({
      trustDomain: TD,
      namespace: 'voting',
      serviceAccount: 'voting-app',
      notBefore: new Date(Date.now() - 48 * 3600_000),
      ttlMs: 24 * 3600_000,
    })
    const r = await exchange(port, meshClientOptions(creds(old)))
    assert.equal(r.data, '')
  })

  it('negotiates TLS 1.3 between mesh ends; a TLS 1.2-only client gets 1.2 unless the mesh pins 1.3', async () => {
    const port = await listen('STRICT')
    const version = (opts: ConnectionOptions): Promise<string | null> =>
      new Promise((resolve) => {
        const s = tlsConnect({ host: '127.0.0.1', port, ...opts }, () => {
          resolve(s.getProtocol())
          s.destroy()
        })
        s.on('error', () => resolve(null))
      })
    assert.equal(await version(meshClientOptions(client)), 'TLSv1.3')
    assert.equal(await version({ ...meshClientOptions(client), maxVersion: 'TLSv1.2' }), 'TLSv1.2')
    const pinned = await listenWith({ ...server, minTlsVersion: 'TLSv1.3' })
    const r = await exchange(pinned, { ...meshClientOptions(client), maxVersion: 'TLSv1.2' })
    assert.equal(r.data, '')
    assert.ok(r.error)
  })

  it('closes a plaintext client without a byte', async () => {
    const port = await listen('STRICT')
    const r = await exchange(port, undefined)
    assert.equal(r.data, '')
  })

  it('lets authorization refuse a valid certificate with another identity (principals)', async () => {
    const port = await listen('STRICT', {
      rules: [{ from: [{ source: { principals: [`${TD}/ns/voting/sa/voting-analytics`] } }] }],
    })
    const r = await exchange(port, meshClientOptions(client))
    assert.equal(r.data, '')
    const analytics = creds(
      await ca.issueWorkloadCert({
        trustDomain: TD,
        namespace: 'voting',
        serviceAccount: 'voting-analytics',
      }),
    )
    const ok = await exchange(port, meshClientOptions(analytics))
    assert.equal(ok.data, `hello spiffe://${TD}/ns/voting/sa/voting-analytics`)
  })

  it('a client pinning another server identity gives up', async () => {
    const port = await listen('STRICT')
    const r = await exchange(
      port,
      meshClientOptions(client, { expectedIdentities: [`spiffe://${TD}/ns/voting/sa/other`] }),
    )
    assert.equal(r.data, '')
    assert.equal(r.error, 'ERR_TLS_CERT_ALTNAME_INVALID')
    const pinned = await exchange(
      port,
      meshClientOptions(client, { expectedIdentities: [`spiffe://${TD}/ns/voting/sa/voting-storage`] }),
    )
    assert.match(pinned.data, /^hello /)
  })
})

describe('PERMISSIVE and DISABLE listeners', () => {
  it('PERMISSIVE accepts mTLS and plaintext on one port', async () => {
    const port = await listen('PERMISSIVE')
    assert.equal((await exchange(port, undefined)).data, 'plain')
    assert.equal(
      (await exchange(port, meshClientOptions(client))).data,
      `hello spiffe://${TD}/ns/voting/sa/voting-app`,
    )
  })

  it('DISABLE accepts plaintext only', async () => {
    const port = await listen('DISABLE')
    assert.equal((await exchange(port, undefined)).data, 'plain')
    assert.equal((await exchange(port, meshClientOptions(client))).data, '')
  })

  it('PERMISSIVE serves HTTP both ways, with X-Forwarded-Client-Cert for the mTLS peer', async () => {
    const http = createHttpServer((req, res) => {
      const s = req.socket as TLSSocket
      const cert = s.encrypted ? s.getPeerX509Certificate() : undefined
      res.end(cert ? xfccValue(`spiffe://${TD}/ns/voting/sa/voting-storage`, cert) : 'no client cert')
    })
    const l = createMeshListener({
      mode: 'PERMISSIVE',
      creds: server,
      onSecure: (s) => http.emit('connection', s),
      onPlaintext: (s) => handOffPlaintext(http, s),
    })
    open.push(l)
    await new Promise<void>((r) => l.server.listen(0, '127.0.0.1', r))
    const port = (l.server.address() as AddressInfo).port
    const get = (tls: boolean): Promise<string> =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/',
            ...(tls
              ? {
                  createConnection: () =>
                    tlsConnect({ host: '127.0.0.1', port, ...meshClientOptions(client) }),
                }
              : { agent: false }),
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
        req.end()
      })
    assert.equal(await get(false), 'no client cert')
    assert.match(
      await get(true),
      /^By=spiffe:\/\/cluster\.local\/ns\/voting\/sa\/voting-storage;Hash=[0-9a-f]{64};Subject="";URI=spiffe:\/\/cluster\.local\/ns\/voting\/sa\/voting-app$/,
    )
    http.close()
  })
})

describe('HTTP authorization over mTLS', () => {
  it('a denied request gets 403 `RBAC: access denied`; an allowed one reaches the app', async () => {
    const compiled = compileAuthorization(
      [
        {
          apiVersion: 'security.istio.io/v1',
          kind: 'AuthorizationPolicy',
          metadata: { name: 'storage-viewer', namespace: 'voting' },
          body: {
            spec: {
              rules: [
                {
                  from: [{ source: { principals: [`${TD}/ns/voting/sa/voting-app`] } }],
                  to: [{ operation: { methods: ['GET'] } }],
                },
              ],
            },
          },
        },
      ],
      { namespace: 'voting', labels: {} },
    )
    const http = createHttpServer((req, res) => {
      const s = req.socket as TLSSocket
      const d = authorize(compiled, {
        principal: peerIdentity(s),
        sourceIp: s.remoteAddress ?? '',
        port: 8080,
        host: req.headers.host,
        method: req.method,
        path: req.url,
        headers: req.headers,
      })
      if (!d.allowed) {
        const r = rbacDeniedResponse(d)
        res.writeHead(r.status, r.headers).end(r.body)
        return
      }
      res.end('app')
    })
    const l = createMeshListener({
      mode: 'STRICT',
      creds: server,
      onSecure: (s) => http.emit('connection', s),
      onPlaintext: (s) => s.destroy(),
    })
    open.push(l)
    await new Promise<void>((r) => l.server.listen(0, '127.0.0.1', r))
    const port = (l.server.address() as AddressInfo).port
    const call = (method: string, who: WorkloadCredentials): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method,
            path: '/',
            createConnection: () => tlsConnect({ host: '127.0.0.1', port, ...meshClientOptions(who) }),
          },
          (res) => {
            let body = ''
            res.on('data', (d) => {
              body += d
            })
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
          },
        )
        req.on('error', reject)
        req.end()
      })
    assert.deepEqual(await call('GET', client), { status: 200, body: 'app' })
    assert.deepEqual(await call('POST', client), { status: 403, body: 'RBAC: access denied' })
    const other = creds(
      await ca.issueWorkloadCert({
        trustDomain: TD,
        namespace: 'voting',
        serviceAccount: 'voting-analytics',
      }),
    )
    assert.deepEqual(await call('GET', other), { status: 403, body: 'RBAC: access denied' })
    http.close()
  })
})
