/**
 * @module proxy/route/path — path normalisation before routing (Envoy `normalize_path`, Istio BASE).
 *
 * RFC 3986 §6.2.2: percent-encodings of unreserved characters are decoded, other escapes upper-cased,
 * dot segments removed (§5.2.4). `%2F` and `%5C` stay encoded (Envoy KEEP_UNCHANGED). Slashes are not
 * merged (Istio's default). A path that is not origin-form (no leading `/`) is refused by the caller.
 */

const UNRESERVED = /[A-Za-z0-9\-._~]/

/** Splits `/a/b?x=1` into path and query (without `?`); a fragment is dropped. */
export function splitPath(url: string): { path: string; query: string } {
  let end = url.length
  const hash = url.indexOf('#')
  if (hash >= 0) end = hash
  const q = url.indexOf('?')
  if (q >= 0 && q < end) return { path: url.slice(0, q), query: url.slice(q + 1, end) }
  return { path: url.slice(0, end), query: '' }
}

/** Normalises an origin-form path; returns undefined when it is not a valid path. */
export function normalizePath(path: string): string | undefined {
  if (path.charCodeAt(0) !== 47 /* / */) return undefined
  let p = path
  if (p.includes('%')) {
    p = p.replace(/%([0-9A-Fa-f]{2})/g, (all, hex: string) => {
      const ch = String.fromCharCode(Number.parseInt(hex, 16))
      return UNRESERVED.test(ch) ? ch : all.toUpperCase()
    })
    if (/%(?![0-9A-F]{2})/.test(p)) return undefined
  }
  if (!p.includes('.')) return p
  return removeDotSegments(p)
}

/** RFC 3986 §5.2.4 on an absolute path. */
export function removeDotSegments(path: string): string {
  const segments = path.split('/')
  const out: string[] = []
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i]!
    const last = i === segments.length - 1
    if (s === '.') {
      if (last) out.push('')
    } else if (s === '..') {
      out.pop()
      if (last) out.push('')
    } else out.push(s)
  }
  return `/${out.join('/')}`
}
