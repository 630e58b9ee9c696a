/**
 * @module proxy/security — the workload's mTLS material (Istio ISTIO_MUTUAL), numbered by certificate
 * generation so that a rotation applies to new connections (the listener's TLS context and the
 * upstream pool keys follow the generation). The peer's identity is read by `security/peer.ts`.
 *
 * The proxy never issues certificates: whoever runs it hands them over (`ProxyOptions.workloadCerts`,
 * `ProxyHandle.setWorkloadCerts`).
 */

/** PEM material of the workload identity. */
export interface WorkloadCerts {
  /** Leaf first, then intermediates. */
  certChain: string
  privateKey: string
  /** Trust bundle (roots) the peers must chain to. */
  rootCerts: string
}

/** The current certificates and their generation (bumped on every rotation). */
export interface CertStore {
  get(): { certs: WorkloadCerts; generation: number } | undefined
  set(certs: WorkloadCerts | undefined): void
}

/** ALPN values Istio's sidecars offer between each other, plus the plain ones. */
export const MESH_ALPN = ['istio-h2', 'h2', 'istio-http/1.1', 'istio', 'http/1.1']

/** Creates a certificate store. */
export function createCertStore(initial: WorkloadCerts | undefined): CertStore {
  let current = initial ? { certs: initial, generation: 1 } : undefined
  return {
    get: () => current,
    set(certs) {
      current = certs ? { certs, generation: (current?.generation ?? 0) + 1 } : undefined
    },
  }
}
