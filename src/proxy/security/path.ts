/**
 * @module proxy/security/path — request path normalisation as Envoy does it under Istio's
 * `meshConfig.pathNormalization` (default BASE). Authorization and routing must see the same path, or
 * `/public/../admin` slips past a policy on `/admin` (the CVE class Istio hardened against).
 */

/** Istio's ProxyPathNormalization modes. */
export type PathNormalization = 'NONE' | 'BASE' | 'MERGE_SLASHES' | 'DECODE_AND_MERGE_SLASHES'

const UNRESERVED = /[A-Za-z0-9\-._~]/

/**
 * The normalised path, without query string or fragment.
 * BASE (Envoy `normalize_path`, RFC 3986): `\` → `/`, percent-encoded unreserved characters decoded,
 * other escapes upper-cased, a stray `%` escaped as `%25` (so normalising twice changes nothing), `.` and `..` segments resolved (never above the root).
 * MERGE_SLASHES also collapses `//`; DECODE_AND_MERGE_SLASHES first decodes `%2F` and `%5C`.
 * `%2F` is kept as is in the other modes (Envoy's default `KEEP_UNCHANGED`).
 */
export function normalizePath(raw: string, mode: PathNormalization = 'BASE'): string {
  let p = raw
  const cut = p.search(/[?#]/)
  if (cut >= 0) p = p.slice(0, cut)
  if (mode === 'NONE') return p
  if (mode === 'DECODE_AND_MERGE_SLASHES') p = p.replace(/%2f/gi, '/').replace(/%5c/gi, '\\')
  p = p.replace(/\\/g, '/')
  // One pass, so the result is a fixed point: a stray `%` becomes `%25` and can never pair up later.
  p = p.replace(/%([0-9A-Fa-f]{2})?/g, (_m, hex: string | undefined) => {
    if (hex === undefined) return '%25'
    const ch = String.fromCharCode(Number.parseInt(hex, 16))
    return UNRESERVED.test(ch) ? ch : `%${hex.toUpperCase()}`
  })
  if (!p.startsWith('/')) p = `/${p}`
  p = removeDotSegments(p)
  if (mode === 'MERGE_SLASHES' || mode === 'DECODE_AND_MERGE_SLASHES') p = p.replace(/\/{2,}/g, '/')
  return p
}

/** RFC 3986 §5.2.4 on an absolute path. */
function removeDotSegments(path: string): string {
  const segments = path.split('/').slice(1)
  const out: string[] = []
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!
    const last = i === segments.length - 1
    if (s === '.' || s === '..') {
      if (s === '..') out.pop()
      if (last) out.push('')
      continue
    }
    out.push(s)
  }
  return `/${out.join('/')}`
}
