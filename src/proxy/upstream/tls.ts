/**
 * @module proxy/upstream/tls — TLS the proxy originates to an endpoint: Istio mutual TLS (ISTIO_MUTUAL,
 * or AUTO towards endpoints with a sidecar) with the workload certificates, or SIMPLE/MUTUAL TLS with
 * the DestinationRule's material. Subject alternative names are checked when the config lists them.
 */
import { type ConnectionOptions, checkServerIdentity, type PeerCertificate } from 'node:tls'
import type { Cluster, Endpoint } from '../../proxyconfig/types.ts'
import { pem } from '../listener/credentials.ts'
import type { CertStore } from '../security.ts'

/** TLS options for a connection, a key that tells pools apart, and whether it is Istio mTLS. */
export interface UpstreamTlsChoice {
  options: ConnectionOptions
  key: string
  mesh: boolean
}

/** Checks SANs when listed; else (unless `skipHostname`) the name: `servername` when set, else the host. */
function sanCheck(expected: string[] | undefined, skipHostname: boolean, servername?: string) {
  return (host: string, cert: PeerCertificate): Error | undefined => {
    if (expected && expected.length > 0) {
      const sans = (cert.subjectaltname ?? '')
        .split(',')
        .map((s) => s.trim().replace(/^(URI|DNS|IP Address):/, ''))
      return sans.some((s) => expected.includes(s))
        ? undefined
        : new Error(`peer certificate SANs [${sans.join(', ')}] match none of ${expected.join(', ')}`)
    }
    return skipHostname ? undefined : checkServerIdentity(servername ?? host, cert)
  }
}

/** PEM of a DestinationRule TLS field (inline PEM or file path); '' when unreadable (the handshake then fails). */
function readPem(value: string): string {
  try {
    return pem(value)
  } catch {
    return ''
  }
}

/** Istio mTLS choices by cluster TLS settings, valid while the certificate generation they used is current. */
const meshChoices = new WeakMap<object, { generation: object; choice: UpstreamTlsChoice }>()

/** The TLS to use towards `ep` of `cluster`, or undefined for plaintext. */
export function upstreamTls(cluster: Cluster, ep: Endpoint, certs: CertStore): UpstreamTlsChoice | undefined {
  const tls = cluster.tls
  if (!tls) return undefined
  const mesh = tls.mode === 'ISTIO_MUTUAL' || (tls.mode === 'AUTO' && ep.tlsMode === 'istio')
  if (mesh) {
    const cur = certs.get()
    if (!cur) return undefined
    // Per request: the same choice (options, SAN check, pool key) until the certificates rotate.
    const cached = meshChoices.get(tls)
    if (cached?.generation === cur) return cached.choice
    const sni = 'sni' in tls ? tls.sni : undefined
    const sans = 'subjectAltNames' in tls ? tls.subjectAltNames : undefined
    const choice: UpstreamTlsChoice = {
      mesh: true,
      key: `mtls:${cur.generation}:${sni ?? ''}`,
      options: {
        cert: cur.certs.certChain,
        key: cur.certs.privateKey,
        ca: cur.certs.rootCerts,
        ...(sni ? { servername: sni } : {}),
        rejectUnauthorized: true,
        checkServerIdentity: sanCheck(sans, true),
        minVersion: 'TLSv1.2',
      },
    }
    meshChoices.set(tls, { generation: cur, choice })
    return choice
  }
  if (tls.mode !== 'SIMPLE' && tls.mode !== 'MUTUAL') return undefined
  const servername = tls.sni ?? (/^[\d.:]+$/.test(ep.address) ? undefined : ep.address)
  return {
    mesh: false,
    key: `tls:${tls.mode}:${servername ?? ''}:${tls.insecureSkipVerify ? 1 : 0}`,
    options: {
      ...(tls.caCertificates ? { ca: readPem(tls.caCertificates) } : {}),
      ...(tls.mode === 'MUTUAL' && tls.clientCertificate ? { cert: readPem(tls.clientCertificate) } : {}),
      ...(tls.mode === 'MUTUAL' && tls.privateKey ? { key: readPem(tls.privateKey) } : {}),
      ...(servername ? { servername } : {}),
      rejectUnauthorized: !tls.insecureSkipVerify,
      checkServerIdentity: sanCheck(tls.subjectAltNames, false, servername),
      minVersion: 'TLSv1.2',
    },
  }
}
