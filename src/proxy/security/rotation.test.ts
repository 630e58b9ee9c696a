import assert from 'node:assert/strict'
import { createServer as createHttpServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, it } from 'node:test'
import { type TLSSocket, connect as tlsConnect } from 'node:tls'
import { createRootCa, type IssuedCert } from '../../security/ca.ts'
import { createCertRotator } from '../../security/rotation.ts'
import { createMeshListener, type MeshListener } from './listener.ts'
import { meshClientOptions, type WorkloadCredentials } from './tls.ts'

let listener: MeshListener | undefined
after(() => listener?.server.close())

it('rotating the server certificate (setSecureContext) under steady load loses no request', async () => {
  const ca = await createRootCa()
  const issue = async (sa: string): Promise<WorkloadCredentials> => {
    const c = await ca.issueWorkloadCert({
      trustDomain: 'cluster.local',
      namespace: 'ns',
      serviceAccount: sa,
    })
    return { certChainPem: c.chainPem, keyPem: c.keyPem, trustBundlePem: ca.trustBundlePem }
  }
  const client = await issue('client')
  const http = createHttpServer((_req, res) => res.end('ok'))
  const toCreds = (c: IssuedCert): WorkloadCredentials => ({
    certChainPem: c.chainPem,
    keyPem: c.keyPem,
    trustBundlePem: ca.trustBundlePem,
  })
  const rotator = createCertRotator({
    issue: () =>
      ca.issueWorkloadCert({ trustDomain: 'cluster.local', namespace: 'ns', serviceAccount: 'server' }),
    onCert: (c) => listener?.setCredentials(toCreds(c)),
  })
  const first = await rotator.start()
  listener = createMeshListener({
    mode: 'STRICT',
    creds: toCreds(first),
    onSecure: (s) => http.emit('connection', s),
    onPlaintext: (s) => s.destroy(),
  })
  await new Promise<void>((r) => listener!.server.listen(0, '127.0.0.1', r))
  const port = (listener.server.address() as AddressInfo).port

  const TOTAL = 240
  const CONCURRENCY = 6
  const serials = new Set<string>()
  let started = 0
  let succeeded = 0
  const failures: string[] = []
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/',
          createConnection: () => tlsConnect({ host: '127.0.0.1', port, ...meshClientOptions(client) }),
          timeout: 5000,
        },
        (res) => {
          const cert = (res.socket as TLSSocket).getPeerX509Certificate()
          if (cert) serials.add(cert.serialNumber)
          let body = ''
          res.on('data', (d) => {
            body += d
          })
          res.on('end', () => {
            if (res.statusCode === 200 && body === 'ok') succeeded++
            else failures.push(`${res.statusCode} ${body}`)
            resolve()
          })
        },
      )
      req.on('timeout', () => req.destroy(new Error('timeout')))
      req.on('error', (e) => {
        failures.push(e.message)
        resolve()
      })
      req.end()
    })
  const worker = async (): Promise<void> => {
    while (started < TOTAL) {
      started++
      // Rotate every 60 requests while the other workers keep going.
      if (started % 60 === 0) void rotator.rotateNow()
      await one()
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  rotator.stop()
  http.close()
  assert.deepEqual(failures, [])
  assert.equal(succeeded, TOTAL)
  assert.ok(serials.size >= 3, `clients saw ${serials.size} server certificates`)
})
