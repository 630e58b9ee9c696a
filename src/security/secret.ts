/**
 * @module security/secret — Kubernetes TLS Secrets as Istio reads them for Gateway `credentialName`:
 * `kubernetes.io/tls` (`tls.crt`, `tls.key`, optional `ca.crt`) or generic (`cert`, `key`, `cacert`);
 * a separate `<name>-cacert` Secret may hold the CA for MUTUAL.
 */

/** A certificate, key and optional client CA, as PEM. */
export interface TlsCredential {
  certPem: string
  keyPem: string
  caPem?: string
}

/** A `kubernetes.io/tls` Secret object (base64 data, as `kubectl create secret tls` writes it). */
export function tlsSecret(
  name: string,
  namespace: string,
  cred: TlsCredential,
): {
  apiVersion: 'v1'
  kind: 'Secret'
  metadata: { name: string; namespace: string }
  type: string
  data: Record<string, string>
} {
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
  const data: Record<string, string> = { 'tls.crt': b64(cred.certPem), 'tls.key': b64(cred.keyPem) }
  if (cred.caPem) data['ca.crt'] = b64(cred.caPem)
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'kubernetes.io/tls', data }
}

/**
 * Reads a Secret body (`data` base64, or `stringData`) in either of Istio's layouts. Returns an error
 * message naming the missing key instead of throwing.
 */
export function readTlsSecret(body: Record<string, unknown>): TlsCredential | { error: string } {
  const get = (k: string): string | undefined => {
    const sd = body.stringData as Record<string, unknown> | undefined
    if (sd && typeof sd[k] === 'string') return sd[k] as string
    const d = body.data as Record<string, unknown> | undefined
    if (d && typeof d[k] === 'string') return Buffer.from(d[k] as string, 'base64').toString('utf8')
    return undefined
  }
  const cert = get('tls.crt') ?? get('cert')
  const key = get('tls.key') ?? get('key')
  if (!cert) return { error: 'secret has no tls.crt (or cert) key' }
  if (!key) return { error: 'secret has no tls.key (or key) key' }
  const ca = get('ca.crt') ?? get('cacert')
  return ca ? { certPem: cert, keyPem: key, caPem: ca } : { certPem: cert, keyPem: key }
}
