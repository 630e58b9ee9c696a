/** @module security/spiffe — SPIFFE IDs as Istio uses them: `spiffe://<trustDomain>/ns/<ns>/sa/<sa>`. */

/** The parts of an Istio workload identity. */
export interface SpiffeParts {
  trustDomain: string
  namespace: string
  serviceAccount: string
}

const ISTIO_ID = /^spiffe:\/\/([a-z0-9._-]+)\/ns\/([^/]+)\/sa\/([^/]+)$/
const SEGMENT = /^[A-Za-z0-9._-]+$/

/** `spiffe://<trustDomain>/ns/<ns>/sa/<sa>`. */
export function spiffeId(p: SpiffeParts): string {
  return `spiffe://${p.trustDomain}/ns/${p.namespace}/sa/${p.serviceAccount}`
}

/**
 * Checks a SPIFFE ID against the SPIFFE-ID rules that matter here: scheme, lower-case trust domain,
 * no empty, `.` or `..` segments, no percent-encoding, query, fragment, port or userinfo, ≤ 2048 bytes.
 */
export function isValidSpiffeId(id: string): boolean {
  if (id.length > 2048 || !id.startsWith('spiffe://')) return false
  const rest = id.slice('spiffe://'.length)
  const [td, ...segments] = rest.split('/')
  if (!td || !/^[a-z0-9._-]+$/.test(td)) return false
  return segments.every((s) => s !== '' && s !== '.' && s !== '..' && SEGMENT.test(s))
}

/** Parses an Istio-shaped SPIFFE ID; undefined for anything else. */
export function parseSpiffeId(id: string): SpiffeParts | undefined {
  if (!isValidSpiffeId(id)) return undefined
  const m = ISTIO_ID.exec(id)
  if (!m?.[1] || !m[2] || !m[3]) return undefined
  return { trustDomain: m[1], namespace: m[2], serviceAccount: m[3] }
}

/** The principal AuthorizationPolicy matches: the SPIFFE ID without `spiffe://`. */
export function principalOf(id: string): string {
  return id.startsWith('spiffe://') ? id.slice('spiffe://'.length) : id
}
