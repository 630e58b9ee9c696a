/**
 * @module proxy/security/tls — TLS options for the data plane: Istio mutual TLS between sidecars
 * (workload cert + trust bundle, TLS 1.3 where both ends allow, SPIFFE identity checks) and SIMPLE/MUTUAL with given certs.
 * Everything returned is an options object for `tls.createServer`, `server.setSecureContext` or
 * `tls.connect`; `createSecureContext` is applied by the caller (or by `meshServerContext`).
 */
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import {
  type ConnectionOptions,
  checkServerIdentity,
  createSecureContext,
  type PeerCertificate,
  type SecureContext,
  type SecureContextOptions,
  type TlsOptions,
} from 'node:tls'
import type { ServerTls, UpstreamTls } from '../../proxyconfig/types.ts'
import { spiffeIdOfCert } from './identity.ts'

/** A workload's credentials, as PEM. */
export interface WorkloadCredentials {
  /** Leaf certificate followed by any intermediates. */
  certChainPem: string
  keyPem: string
  /** The roots the mesh trusts. */
  trustBundlePem: string
  /**
   * Mesh mTLS floor (`meshConfig.meshMTLS.minProtocolVersion`): TLS 1.2 by default as in Istio, so
   * TLS 1.3 is used wherever both ends allow it; `TLSv1.3` pins it.
   */
  minTlsVersion?: 'TLSv1.2' | 'TLSv1.3'
}

/**
 * TLS 1.3 suites first, then only forward-secret AEAD TLS 1.2 suites (Istio's default list without
 * the non-ECDHE ones). Node disables TLS 1.3 when the list names no 1.3 suite, so they are explicit.
 */
export const MESH_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':')

/** ALPN a mesh server accepts, in its order of preference. */
export const MESH_SERVER_ALPN = ['istio-h2', 'h2', 'istio-http/1.1', 'http/1.1', 'istio'] as const
/** ALPN a mesh client offers for an HTTP/1.1 or HTTP/2 upstream, and for TCP. */
export const MESH_CLIENT_ALPN = {
  http1: ['istio-http/1.1', 'istio', 'http/1.1'],
  http2: ['istio-h2', 'istio', 'h2'],
  tcp: ['istio'],
} as const

/** Whether a negotiated ALPN protocol means HTTP/2. */
export function isH2Alpn(alpn: string | false | null | undefined): boolean {
  return alpn === 'h2' || alpn === 'istio-h2'
}

/** Istio's SNI for mTLS to a cluster: `outbound_.<port>_.<subset>_.<host>`. */
export function istioSni(port: number, subset: string | undefined, host: string): string {
  return `outbound_.${port}_.${subset ?? ''}_.${host}`
}

/** The secure-context part of a mesh server: present the workload cert, trust the bundle, AEAD suites, TLS 1.2+ (1.3 preferred). */
export function meshServerContextOptions(creds: WorkloadCredentials): SecureContextOptions {
  return {
    cert: creds.certChainPem,
    key: creds.keyPem,
    ca: creds.trustBundlePem,
    minVersion: creds.minTlsVersion ?? 'TLSv1.2',
    ciphers: MESH_CIPHERS,
  }
}

/** A ready SecureContext for a mesh server (e.g. for an SNICallback). */
export function meshServerContext(creds: WorkloadCredentials): SecureContext {
  return createSecureContext(meshServerContextOptions(creds))
}

/**
 * Options for `tls.createServer` on an ISTIO_MUTUAL listener: require a client certificate chained to
 * the bundle (no cert, foreign CA, expired ⇒ handshake refused), ALPN for Istio and plain HTTP.
 * Which SPIFFE ID is allowed is the authorization engine's job (principals), as in Istio.
 */
export function meshServerOptions(creds: WorkloadCredentials): TlsOptions {
  return {
    ...meshServerContextOptions(creds),
    requestCert: true,
    rejectUnauthorized: true,
    ALPNProtocols: [...MESH_SERVER_ALPN],
  }
}

/** What a mesh client expects of its upstream. */
export interface MeshClientTarget {
  /** SNI to send (`istioSni(...)`). */
  sni?: string
  /** Accepted server SPIFFE IDs; empty or absent ⇒ any identity the bundle vouches for. */
  expectedIdentities?: readonly string[]
  /** Upstream protocol (picks the ALPN list); default http1. */
  protocol?: 'http1' | 'http2' | 'tcp'
}

/**
 * Options for `tls.connect` to an ISTIO_MUTUAL upstream: present the workload cert, verify the chain
 * against the bundle and the server's SPIFFE ID against the expected ones (Node's default check only
 * looks at DNS/IP names, so it is replaced).
 */
export function meshClientOptions(
  creds: WorkloadCredentials,
  target: MeshClientTarget = {},
): ConnectionOptions {
  const expected = target.expectedIdentities ?? []
  const opts: ConnectionOptions = {
    cert: creds.certChainPem,
    key: creds.keyPem,
    ca: creds.trustBundlePem,
    minVersion: creds.minTlsVersion ?? 'TLSv1.2',
    ciphers: MESH_CIPHERS,
    rejectUnauthorized: true,
    ALPNProtocols: [...MESH_CLIENT_ALPN[target.protocol ?? 'http1']],
    checkServerIdentity: (_host, cert) => checkSpiffe(cert, expected),
  }
  if (target.sni) opts.servername = target.sni
  return opts
}

function checkSpiffe(cert: PeerCertificate, expected: readonly string[]): Error | undefined {
  const id = cert.raw ? spiffeIdOfCert(new X509Certificate(cert.raw)) : undefined
  if (!id) return altnameError('upstream certificate has no valid SPIFFE identity')
  if (expected.length > 0 && !expected.includes(id)) {
    return altnameError(`upstream identity ${id} is not one of ${expected.join(', ')}`)
  }
  return undefined
}

/** An identity mismatch, with the code Node gives its own name-check failures. */
function altnameError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_TLS_CERT_ALTNAME_INVALID', reason: message })
}

/** A PEM value as given, or the contents of the file it names (gateway `serverCertificate: /etc/...`). */
export function resolvePem(value: string): string {
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8')
}

const TLS_VERSIONS: Record<string, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = {
  TLSV1_0: 'TLSv1',
  TLSV1_1: 'TLSv1.1',
  TLSV1_2: 'TLSv1.2',
  TLSV1_3: 'TLSv1.3',
}

/**
 * Server options for a compiled listener TLS setting. ISTIO_MUTUAL needs the workload credentials;
 * SIMPLE presents the given cert; MUTUAL also requires a client cert signed by `caCertificates`.
 * `credential` is the Gateway `credentialName` Secret already read (`readTlsSecret`), used instead of files.
 * Returns an error message (never throws) when a file cannot be read or credentials are missing.
 */
export function serverOptionsFor(
  t: ServerTls,
  creds?: WorkloadCredentials,
  credential?: { certPem: string; keyPem: string; caPem?: string },
): TlsOptions | { error: string } {
  if (t.mode === 'ISTIO_MUTUAL') {
    return creds ? meshServerOptions(creds) : { error: 'ISTIO_MUTUAL listener without workload credentials' }
  }
  try {
    const opts: TlsOptions = {
      cert: credential?.certPem ?? resolvePem(t.serverCertificate),
      key: credential?.keyPem ?? resolvePem(t.privateKey),
      minVersion: TLS_VERSIONS[t.minProtocolVersion ?? ''] ?? 'TLSv1.2',
      ALPNProtocols: ['h2', 'http/1.1'],
    }
    if (t.mode === 'MUTUAL') {
      const ca = credential?.caPem ?? (t.caCertificates ? resolvePem(t.caCertificates) : undefined)
      if (!ca) return { error: 'MUTUAL listener without caCertificates' }
      opts.ca = ca
      opts.requestCert = true
      opts.rejectUnauthorized = true
    }
    return opts
  } catch (err) {
    return { error: `cannot read TLS files: ${(err as Error).message}` }
  }
}

/** Where an upstream TLS connection goes (for SNI and the default name check). */
export interface UpstreamTarget {
  host: string
  port: number
  subset?: string
  protocol?: 'http1' | 'http2' | 'tcp'
}

/**
 * Client options for a compiled cluster TLS setting. ISTIO_MUTUAL: mesh cert, SNI
 * `outbound_.<port>_.<subset>_.<host>` unless set, SPIFFE IDs from `subjectAltNames`. SIMPLE/MUTUAL:
 * verify against `caCertificates` (or the system roots), name check against `subjectAltNames` or the SNI.
 */
export function clientOptionsFor(
  t: UpstreamTls,
  target: UpstreamTarget,
  creds?: WorkloadCredentials,
): ConnectionOptions | { error: string } {
  if (t.mode === 'AUTO') return { error: 'AUTO upstream TLS must be resolved by the control plane' }
  if (t.mode === 'ISTIO_MUTUAL') {
    if (!creds) return { error: 'ISTIO_MUTUAL upstream without workload credentials' }
    return meshClientOptions(creds, {
      sni: t.sni ?? istioSni(target.port, target.subset, target.host),
      expectedIdentities: t.subjectAltNames ?? [],
      protocol: target.protocol ?? 'http1',
    })
  }
  try {
    const sni = t.sni ?? target.host
    const sans = t.subjectAltNames ?? []
    const opts: ConnectionOptions = {
      servername: sni,
      rejectUnauthorized: t.insecureSkipVerify !== true,
      ALPNProtocols: target.protocol === 'http2' ? ['h2'] : ['http/1.1'],
      checkServerIdentity: (host, cert) =>
        sans.length > 0 ? checkSans(cert, sans) : checkServerIdentity(host, cert),
    }
    if (t.caCertificates) opts.ca = resolvePem(t.caCertificates)
    if (t.mode === 'MUTUAL') {
      if (!t.clientCertificate || !t.privateKey)
        return { error: 'MUTUAL upstream without a client certificate' }
      opts.cert = resolvePem(t.clientCertificate)
      opts.key = resolvePem(t.privateKey)
    }
    return opts
  } catch (err) {
    return { error: `cannot read TLS files: ${(err as Error).message}` }
  }
}

function checkSans(cert: PeerCertificate, sans: readonly string[]): Error | undefined {
  const names = (cert.subjectaltname ?? '').split(', ').map((e) => e.replace(/^(DNS|URI|IP Address):/, ''))
  return sans.some((s) => names.includes(s))
    ? undefined
    : altnameError(`upstream certificate names ${names.join(', ')} match none of ${sans.join(', ')}`)
}
