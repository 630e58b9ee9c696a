import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type ConnectionOptions, connect, createServer, type Server, type TLSSocket } from 'node:tls'
import { type CertificateAuthority, createRootCa, type IssuedCert } from '../../security/ca.ts'
import { readTlsSecret, tlsSecret } from '../../security/secret.ts'
import { clientOptionsFor, serverOptionsFor } from './tls.ts'

let dir: string
let gatewayCa: CertificateAuthority
let clientCa: CertificateAuthority
let serverCert: IssuedCert
const servers: Server[] = []

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weir-gw-tls-'))
  gatewayCa = await createRootCa({ organization: 'example.com' })
  clientCa = await createRootCa({ organization: 'clients.example.com' })
  serverCert = await gatewayCa.issueServerCert({ dnsNames: ['bookinfo.example.com'] })
  await writeFile(join(dir, 'tls.crt'), serverCert.chainPem)
  await writeFile(join(dir, 'tls.key'), serverCert.keyPem, { mode: 0o600 })
  await writeFile(join(dir, 'ca.crt'), clientCa.rootPem)
})
after(async () => {
  for (const s of servers) s.close()
  await rm(dir, { recursive: true, force: true })
})

async function serve(mode: 'SIMPLE' | 'MUTUAL'): Promise<number> {
  const opts = serverOptionsFor({
    mode,
    serverCertificate: join(dir, 'tls.crt'),
    privateKey: join(dir, 'tls.key'),
    caCertificates: join(dir, 'ca.crt'),
  })
  assert.ok(!('error' in opts))
  const s = createServer(opts, (sock: TLSSocket) => sock.end(`hi ${sock.servername}`))
  s.on('tlsClientError', () => {})
  servers.push(s)
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  return (s.address() as AddressInfo).port
}

function talk(
  port: number,
  opts: ConnectionOptions | { error: string },
): Promise<{ data: string; error?: string }> {
  assert.ok(!('error' in opts), 'options built')
  return new Promise((resolve) => {
    let data = ''
    let error: string | undefined
    const s = connect({ host: '127.0.0.1', port, ...opts })
    const t = setTimeout(() => s.destroy(), 5000)
    s.on('data', (d) => {
      data += d
    })
    s.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message
    })
    s.on('close', () => {
      clearTimeout(t)
      resolve(error ? { data, error } : { data })
    })
  })
}

describe('gateway SIMPLE / MUTUAL TLS with a DNS certificate from a separate CA', () => {
  it('SIMPLE: a client trusting the CA reaches the host named in the certificate', async () => {
    const port = await serve('SIMPLE')
    const target = { host: 'bookinfo.example.com', port: 443 }
    const ok = await talk(
      port,
      clientOptionsFor({ mode: 'SIMPLE', caCertificates: gatewayCa.rootPem }, target),
    )
    assert.equal(ok.data, 'hi bookinfo.example.com')
    const wrongName = await talk(
      port,
      clientOptionsFor(
        { mode: 'SIMPLE', caCertificates: gatewayCa.rootPem },
        { host: 'other.example.com', port: 443 },
      ),
    )
    assert.equal(wrongName.error, 'ERR_TLS_CERT_ALTNAME_INVALID')
    const untrusted = await talk(
      port,
      clientOptionsFor({ mode: 'SIMPLE', caCertificates: clientCa.rootPem }, target),
    )
    assert.equal(untrusted.data, '')
    assert.ok(untrusted.error)
  })

  it('MUTUAL: refuses a client without a certificate, accepts one from the client CA', async () => {
    const port = await serve('MUTUAL')
    const target = { host: 'bookinfo.example.com', port: 443 }
    const none = await talk(
      port,
      clientOptionsFor({ mode: 'SIMPLE', caCertificates: gatewayCa.rootPem }, target),
    )
    assert.equal(none.data, '')
    const c = await clientCa.issueClientCert({ commonName: 'client.example.com' })
    const ok = await talk(
      port,
      clientOptionsFor(
        {
          mode: 'MUTUAL',
          caCertificates: gatewayCa.rootPem,
          clientCertificate: c.chainPem,
          privateKey: c.keyPem,
        },
        target,
      ),
    )
    assert.equal(ok.data, 'hi bookinfo.example.com')
  })

  it('a TLS secret round-trips (credentialName)', () => {
    const secret = tlsSecret('bookinfo-credential', 'istio-system', {
      certPem: serverCert.certPem,
      keyPem: serverCert.keyPem,
    })
    assert.equal(secret.type, 'kubernetes.io/tls')
    assert.deepEqual(readTlsSecret(secret), { certPem: serverCert.certPem, keyPem: serverCert.keyPem })
    assert.deepEqual(readTlsSecret({ stringData: { cert: 'C' } }), {
      error: 'secret has no tls.key (or key) key',
    })
  })

  it('SIMPLE from a credentialName secret instead of files', async () => {
    const secret = readTlsSecret(
      tlsSecret('bookinfo-credential', 'istio-system', {
        certPem: serverCert.chainPem,
        keyPem: serverCert.keyPem,
      }),
    )
    assert.ok(!('error' in secret))
    const opts = serverOptionsFor(
      { mode: 'SIMPLE', serverCertificate: '', privateKey: '' },
      undefined,
      secret,
    )
    assert.ok(!('error' in opts))
    const s = createServer(opts, (sock: TLSSocket) => sock.end('from secret'))
    servers.push(s)
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
    const port = (s.address() as AddressInfo).port
    const r = await talk(
      port,
      clientOptionsFor(
        { mode: 'SIMPLE', caCertificates: gatewayCa.rootPem },
        { host: 'bookinfo.example.com', port: 443 },
      ),
    )
    assert.equal(r.data, 'from secret')
  })

  it('missing files give an error, not a throw', () => {
    const r = serverOptionsFor({
      mode: 'SIMPLE',
      serverCertificate: join(dir, 'nope.crt'),
      privateKey: join(dir, 'tls.key'),
    })
    assert.ok('error' in r && /cannot read TLS files/.test(r.error))
  })
})
