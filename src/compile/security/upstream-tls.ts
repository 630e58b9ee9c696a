/**
 * @module compile/security/upstream-tls — what TLS a client sidecar originates to an endpoint:
 * DestinationRule `tls` always wins (DISABLE ⇒ plaintext); without it, auto mTLS picks ISTIO_MUTUAL
 * when the endpoint has a sidecar (`security.istio.io/tlsMode: istio`).
 */
import type { UpstreamTls } from '../../proxyconfig/types.ts'
import { obj, strings } from './common.ts'

/** Where the connection goes (for Istio's SNI `outbound_.<port>_.<subset>_.<host>`). */
export interface UpstreamTlsTarget {
  host: string
  port: number
  subset?: string
  /** SPIFFE IDs of the service's workloads: the server identities ISTIO_MUTUAL accepts (Istio's SAN list). */
  identities?: string[]
}

/**
 * The compiled upstream TLS for a DestinationRule `tls` block (already merged from subset / port-level
 * settings by the caller), or undefined for plaintext. Credentials referenced by `credentialName` are
 * not resolved here.
 */
export function upstreamTlsFor(
  destinationRuleTls: unknown,
  endpointHasSidecar: boolean,
  enableAutoMtls = true,
  target?: UpstreamTlsTarget,
): UpstreamTls | undefined {
  const tls = obj(destinationRuleTls)
  const sni = target ? `outbound_.${target.port}_.${target.subset ?? ''}_.${target.host}` : undefined
  if (!tls) {
    if (!enableAutoMtls || !endpointHasSidecar) return undefined
    const auto: UpstreamTls = { mode: 'ISTIO_MUTUAL' }
    if (sni) auto.sni = sni
    if (target?.identities?.length) auto.subjectAltNames = [...target.identities]
    return auto
  }
  const mode = tls.mode ?? 'DISABLE'
  const sans = strings(tls.subjectAltNames)
  const userSni = typeof tls.sni === 'string' ? tls.sni : undefined
  if (mode === 'ISTIO_MUTUAL') {
    const out: UpstreamTls = { mode: 'ISTIO_MUTUAL' }
    const s = userSni ?? sni
    if (s) out.sni = s
    if (sans?.length) out.subjectAltNames = sans
    else if (target?.identities?.length) out.subjectAltNames = [...target.identities]
    return out
  }
  if (mode === 'SIMPLE' || mode === 'MUTUAL') {
    const out: UpstreamTls = { mode }
    if (userSni) out.sni = userSni
    if (sans?.length) out.subjectAltNames = sans
    for (const k of ['caCertificates', 'clientCertificate', 'privateKey'] as const) {
      const v = tls[k]
      if (typeof v === 'string' && v !== '') out[k] = v
    }
    if (tls.insecureSkipVerify === true) out.insecureSkipVerify = true
    return out
  }
  return undefined
}

/** The `tls` of a DestinationRule traffic policy for a port: port-level settings win over the policy's own. */
export function drTlsForPort(trafficPolicy: unknown, port: number): unknown {
  const tp = obj(trafficPolicy)
  if (!tp) return undefined
  const levels = Array.isArray(tp.portLevelSettings) ? tp.portLevelSettings : []
  for (const l of levels) {
    const o = obj(l)
    if (o && obj(o.port)?.number === port && o.tls !== undefined) return o.tls
  }
  return tp.tls
}
