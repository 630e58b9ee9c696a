import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { connect as tlsConnect } from 'node:tls'
import type { ProxyConfig } from '../proxyconfig/types.ts'
import type { ProxyHandle } from './proxy.ts'
import { startProxy } from './proxy.ts'
import type { WorkloadCerts } from './security.ts'
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
} from './test-support.ts'

/** A CA and SPIFFE leaves made with openssl; undefined when openssl is missing. */
async function makeCerts(dir: string, sas: string[]): Promise<Record<string, WorkloadCerts> | undefined> {
  const ossl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' })
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  try {
    ossl([
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '1',
      '-subj',
      '/O=weir-test',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    ])
  } catch {
    return undefined
  }
  const out: Record<string, WorkloadCerts> = {}
  const root = await readFile(join(dir, 'ca.pem'), 'utf8')
  for (const sa of sas) {
    await writeFile(
      join(dir, `${sa}.ext`),
      `subjectAltName=URI:spiffe://cluster.local/ns/default/sa/${sa}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n`,
    )
    ossl(['req', ...ec, '-keyout', `${sa}.key`, '-out', `${sa}.csr`, '-subj', '/O=weir'])
    ossl([
      'x509',
      '-req',
      '-in',
      `${sa}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${sa}.pem`,
      '-days',
      '1',
      '-extfile',
      `${sa}.ext`,
    ])
    out[sa] = {
      certChain: await readFile(join(dir, `${sa}.pem`), 'utf8'),
      privateKey: await readFile(join(dir, `${sa}.key`), 'utf8'),
      rootCerts: root,
    }
  }
  return out
}

describe('Istio mutual TLS between proxies', () => {
  let dir: string
  let certs: Record<string, WorkloadCerts> | undefined
  let app: Upstream
  let inbound: ProxyHandle | undefined
  let outbound: ProxyHandle | undefined
  let inCfg: ProxyConfig
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weir-mtls-'))
    certs = await makeCerts(dir, ['bookinfo-productpage', 'bookinfo-reviews'])
    app = await startUpstream('reviews')
    if (!certs) return
    inCfg = httpConfig(
      [
        vhost('inbound|9080||', ['*'], [forwardRoute('inbound|9080||')], {
          service: { host: 'reviews.default.svc.cluster.local', name: 'reviews', namespace: 'default' },
        }),
      ],
      [cluster('inbound|9080||', [endpoint(app.port)], { direction: 'inbound' })],
      { direction: 'inbound' },
    )
    inCfg.listeners[0]!.tls = { mode: 'ISTIO_MUTUAL', peerAuthentication: 'STRICT' }
    inCfg.node = {
      ...inCfg.node,
      workload: 'reviews-v1',
      serviceAccount: 'bookinfo-reviews',
      identity: 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews',
    }
    inbound = await startProxy({
      config: inCfg,
      bind: () => ({ host: '127.0.0.1', port: 0 }),
      workloadCerts: certs['bookinfo-reviews']!,
      log: () => {},
    })
    outbound = await startProxy({
      config: httpConfig(
        [
          vhost('reviews', ['reviews'], [forwardRoute('reviews')], {
            service: { host: 'reviews.default.svc.cluster.local', name: 'reviews', namespace: 'default' },
          }),
        ],
        [
          cluster(
            'reviews',
            [
              endpoint(httpPort(inbound), {
                tlsMode: 'istio',
                workload: { name: 'reviews-v1', namespace: 'default', serviceAccount: 'bookinfo-reviews' },
              }),
            ],
            {
              tls: { mode: 'AUTO' },
            },
          ),
        ],
      ),
      bind: () => ({ host: '127.0.0.1', port: 0 }),
      workloadCerts: certs['bookinfo-productpage']!,
      log: () => {},
    })
  })
  after(async () => {
    await outbound?.close()
    await inbound?.close()
    await app.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('carries requests over mTLS and reports principals and mutual_tls', async (t) => {
    if (!certs || !inbound || !outbound) return t.skip('openssl is not installed')
    const r = await send(httpPort(outbound), { host: 'reviews' })
    assert.equal(r.status, 200)
    assert.equal(r.body, 'reviews')
    const dst = (await send(inbound.adminAddress().port, { path: '/stats/prometheus' })).body
    assert.match(
      dst,
      /istio_requests_total\{reporter="destination",.*source_principal="spiffe:\/\/cluster.local\/ns\/default\/sa\/bookinfo-productpage".*destination_principal="spiffe:\/\/cluster.local\/ns\/default\/sa\/bookinfo-reviews".*connection_security_policy="mutual_tls"\} 1/,
    )
    const src = (await send(outbound.adminAddress().port, { path: '/stats/prometheus' })).body
    assert.match(
      src,
      /reporter="source",.*destination_principal="spiffe:\/\/cluster.local\/ns\/default\/sa\/bookinfo-reviews"/,
    )
  })

  it('refuses a client certificate from another CA', async (t) => {
    if (!certs || !inbound) return t.skip('openssl is not installed')
    const other = await mkdtemp(join(tmpdir(), 'weir-mtls-other-'))
    try {
      const foreign = (await makeCerts(other, ['intruder']))!.intruder!
      const got = await new Promise<string>((resolve) => {
        let out = ''
        const s = tlsConnect({
          host: '127.0.0.1',
          port: httpPort(inbound!),
          cert: foreign.certChain,
          key: foreign.privateKey,
          ca: certs!['bookinfo-reviews']!.rootCerts,
          checkServerIdentity: () => undefined,
        })
        s.on('secureConnect', () => s.write('GET / HTTP/1.1\r\nHost: reviews\r\n\r\n'))
        s.on('data', (d) => {
          out += d
        })
        s.on('error', () => resolve(out))
        s.on('close', () => resolve(out))
        s.setTimeout(3000, () => s.destroy())
      })
      assert.equal(got, '')
    } finally {
      await rm(other, { recursive: true, force: true })
    }
  })

  it('STRICT refuses plaintext; PERMISSIVE accepts it', async (t) => {
    if (!certs || !inbound) return t.skip('openssl is not installed')
    await assert.rejects(send(httpPort(inbound)))
    const permissive: ProxyConfig = structuredClone(inCfg)
    permissive.listeners[0]!.tls = { mode: 'ISTIO_MUTUAL', peerAuthentication: 'PERMISSIVE' }
    const p = await startTestProxy(permissive)
    try {
      assert.equal((await send(httpPort(p))).body, 'reviews')
    } finally {
      await p.close()
    }
  })
})
