/**
 * @module proxy/security/identity — who is on the other end of a TLS connection: the SPIFFE ID from the
 * peer certificate, and the `X-Forwarded-Client-Cert` value Istio's sidecars set.
 */
import { createHash, type X509Certificate } from 'node:crypto'

const SPIFFE = /^spiffe:\/\/[a-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/

/**
 * The single SPIFFE URI SAN of a certificate; undefined when it has none, several URI SANs, or one
 * that breaks the SPIFFE-ID rules (X.509-SVID: exactly one URI SAN).
 */
export function spiffeIdOfCert(cert: X509Certificate | undefined): string | undefined {
  const san = cert?.subjectAltName
  if (!san) return undefined
  const uris = splitSan(san)
    .filter((e) => e.startsWith('URI:'))
    .map((e) => e.slice(4))
  if (uris.length !== 1) return undefined
  const id = uris[0]!
  if (id.length > 2048 || !SPIFFE.test(id) || /\/\.{1,2}(\/|$)/.test(id)) return undefined
  return id
}

/** Node's `subjectAltName`: `DNS:a, URI:b`; values with separators are JSON-quoted (never valid SPIFFE IDs). */
function splitSan(san: string): string[] {
  return san.split(', ').map((s) => s.trim())
}

/**
 * The `X-Forwarded-Client-Cert` element a sidecar adds for an mTLS peer:
 * `By=<own SPIFFE ID>;Hash=<sha256 hex of the peer cert DER>;Subject="<peer subject>";URI=<peer SPIFFE ID>`.
 */
export function xfccValue(localIdentity: string, peerCert: X509Certificate): string {
  const hash = createHash('sha256').update(peerCert.raw).digest('hex')
  const subject = (peerCert.subject ?? '').replace(/\n/g, ',').replace(/"/g, '\\"')
  const uri = spiffeIdOfCert(peerCert)
  let v = `By=${localIdentity};Hash=${hash};Subject="${subject}"`
  if (uri) v += `;URI=${uri}`
  return v
}

/**
 * The header a sidecar forwards (Istio's APPEND_FORWARD for sidecars): the incoming value, if any,
 * followed by this hop's element. Without an mTLS peer the incoming value is kept as is.
 */
export function forwardXfcc(incoming: string | undefined, element: string | undefined): string | undefined {
  if (!element) return incoming
  return incoming ? `${incoming},${element}` : element
}
