/** The mesh CA: SPIFFE leaves that verify against the root over real mutual TLS; the root survives a restart. */
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { connect, createServer, type TLSSocket } from 'node:tls'
import { loadOrCreateCa } from '../../src/runtime/mesh/ca.ts'
import { tempState } from './helpers.ts'

test('leaves carry the SPIFFE identity and chain to the root; the CA is reused from the state dir', async () => {
  const state = await tempState()
  const ca = await loadOrCreateCa(state)
  const again = await loadOrCreateCa(state)
  assert.equal(again.rootCert, ca.rootCert)
  const server = await ca.issue('spiffe://cluster.local/ns/voting/sa/default')
  const client = await again.issue(
    'spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
  )
  const srv = createServer(
    {
      cert: server.certChain,
      key: server.privateKey,
      ca: server.rootCerts,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (s) => {
      const peer = s.getPeerCertificate()
      s.end(`${peer.subjectaltname}`)
    },
  )
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))
  const port = (srv.address() as AddressInfo).port
  try {
    const { text, san } = await new Promise<{ text: string; san: string }>((resolve, reject) => {
      const sock: TLSSocket = connect({
        host: '127.0.0.1',
        port,
        cert: client.certChain,
        key: client.privateKey,
        ca: client.rootCerts,
        checkServerIdentity: () => undefined,
      })
      let text = ''
      sock.on('secureConnect', () => {
        if (!sock.authorized) reject(new Error(String(sock.authorizationError)))
      })
      sock.on('data', (c: Buffer) => {
        text += c.toString()
      })
      sock.on('end', () => resolve({ text, san: sock.getPeerCertificate().subjectaltname ?? '' }))
      sock.on('error', reject)
    })
    assert.equal(text, 'URI:spiffe://cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account')
    assert.equal(san, 'URI:spiffe://cluster.local/ns/voting/sa/default')
  } finally {
    srv.close()
  }
})
