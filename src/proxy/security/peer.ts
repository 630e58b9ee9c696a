/**
 * @module proxy/security/peer — what the server side of a connection knows about its mTLS peer: the
 * verified SPIFFE ID and this hop's `X-Forwarded-Client-Cert` element, computed once per connection.
 */
import type { TLSSocket } from 'node:tls'
import { spiffeIdOfCert, xfccValue } from './identity.ts'

/** The verified peer of a mutual-TLS connection. */
export interface MeshPeer {
  /** `spiffe://<td>/ns/<ns>/sa/<sa>`. */
  identity: string
  /** `By=…;Hash=…;Subject="…";URI=…` for this proxy's identity. */
  xfcc(localIdentity: string): string
}

const cache = new WeakMap<object, MeshPeer | null>()

/** The verified peer of `sock` (a TLS socket whose client certificate chained to the mesh roots), or undefined. */
export function meshPeer(sock: unknown): MeshPeer | undefined {
  if (sock === null || typeof sock !== 'object') return undefined
  const hit = cache.get(sock)
  if (hit !== undefined) return hit ?? undefined
  const s = sock as Partial<TLSSocket>
  let peer: MeshPeer | null = null
  if (typeof s.getPeerX509Certificate === 'function' && s.authorized) {
    const cert = s.getPeerX509Certificate()
    const identity = spiffeIdOfCert(cert)
    if (cert && identity) {
      let xfcc: { by: string; value: string } | undefined
      peer = {
        identity,
        xfcc(local) {
          if (xfcc?.by !== local) xfcc = { by: local, value: xfccValue(local, cert) }
          return xfcc.value
        },
      }
    }
  }
  cache.set(sock, peer)
  return peer ?? undefined
}

/** The verified SPIFFE identity of the peer of `sock`, or undefined (plaintext, or no valid SPIFFE SAN). */
export function peerIdentity(sock: unknown): string | undefined {
  return meshPeer(sock)?.identity
}
