/**
 * @module proxy/listener/credentials — TLS material of a listener or cluster: inline PEM, a file path
 * (Istio's `serverCertificate: /etc/certs/…`), or a gateway `credentialName` resolved by whoever runs
 * the proxy (the Kubernetes Secret `tls.crt`/`tls.key`/`ca.crt`).
 */
import { readFileSync } from 'node:fs'
import type { ServerTls } from '../../proxyconfig/types.ts'

/** Resolves a gateway `credentialName` (a Secret in `namespace`) to PEM material. */
export type CredentialResolver = (
  name: string,
  namespace: string,
) => { certificate: string; privateKey: string; caCertificates?: string } | undefined

/** PEM text of `value`: itself when it is PEM, else the content of the file it names. Throws when unreadable. */
export function pem(value: string): string {
  if (value.includes('-----BEGIN')) return value
  return readFileSync(value, 'utf8')
}

/** The PEM material a SIMPLE/MUTUAL listener serves with; throws with a clear reason when missing. */
export function serverMaterial(
  tls: Exclude<ServerTls, { mode: 'ISTIO_MUTUAL' }>,
  namespace: string,
  resolve: CredentialResolver | undefined,
): { cert: string; key: string; ca?: string } {
  if (tls.credentialName) {
    const found = resolve?.(tls.credentialName, namespace)
    if (!found) throw new Error(`credentialName ${namespace}/${tls.credentialName} is not available`)
    const ca = found.caCertificates ?? (tls.caCertificates ? pem(tls.caCertificates) : undefined)
    return { cert: found.certificate, key: found.privateKey, ...(ca ? { ca } : {}) }
  }
  if (!tls.serverCertificate || !tls.privateKey)
    throw new Error('TLS listener without serverCertificate/privateKey')
  const ca = tls.caCertificates ? pem(tls.caCertificates) : undefined
  return { cert: pem(tls.serverCertificate), key: pem(tls.privateKey), ...(ca ? { ca } : {}) }
}
