/** @module model/host — Istio hostname semantics: short names, wildcards, gateway names. */

/** True for dotted-quad IPv4 or bracket-less IPv6 literals. */
export function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || (host.includes(':') && /^[0-9a-f:.]+$/i.test(host))
}

/**
 * Resolves a host as written in a rule of namespace `ns`: a short name (no dot) becomes
 * `<name>.<ns>.svc.<domain>`; `*`, wildcards, IPs and dotted names are taken as written
 * (Istio `ResolveShortnameToFQDN`). Lower-cased.
 */
export function resolveHost(host: string, ns: string, domain = 'cluster.local'): string {
  const h = host.trim().toLowerCase()
  if (h === '*' || h.startsWith('*') || h.includes('.') || isIp(h) || h === '') return h
  return `${h}.${ns}.svc.${domain}`
}

/** True when `pattern` covers `host`: equal, `*`, or `*.suffix` with host under the suffix (not the bare suffix). */
export function hostCovers(pattern: string, host: string): boolean {
  if (pattern === '*' || pattern === host) return true
  if (!pattern.startsWith('*')) return false
  const suffix = pattern.slice(1)
  if (host.startsWith('*')) return host.slice(1).endsWith(suffix) && host.length >= pattern.length
  return host.endsWith(suffix) && host.length > suffix.length
}

/** True when the two host patterns have some name in common. */
export function hostsIntersect(a: string, b: string): boolean {
  return hostCovers(a, b) || hostCovers(b, a)
}

/** The narrower of two intersecting hosts (`*.example.com` ∩ `a.example.com` = `a.example.com`). */
export function hostIntersection(a: string, b: string): string | undefined {
  if (hostCovers(a, b)) return b
  if (hostCovers(b, a)) return a
  return undefined
}

/**
 * A Gateway reference as written in a VirtualService of namespace `ns`: `mesh`, `name`, `./name`,
 * `ns/name` or legacy `name.ns.svc.cluster.local`; returns `mesh` or `ns/name`.
 */
export function resolveGatewayName(ref: string, ns: string): string {
  const r = ref.trim()
  if (r === 'mesh') return 'mesh'
  const slash = r.indexOf('/')
  if (slash >= 0) {
    const gns = r.slice(0, slash)
    return `${gns === '.' ? ns : gns}/${r.slice(slash + 1)}`
  }
  const parts = r.split('.')
  if (parts.length >= 2 && parts[0] && parts[1]) return `${parts[1]}/${parts[0]}`
  return `${ns}/${r}`
}

/** Splits a Gateway server host `ns/dnsName` (ns `*` any, `.` the gateway's own) into parts. */
export function splitServerHost(h: string, gatewayNs: string): { namespace: string; host: string } {
  const slash = h.indexOf('/')
  if (slash < 0) return { namespace: '*', host: h.toLowerCase() }
  const ns = h.slice(0, slash)
  return { namespace: ns === '.' ? gatewayNs : ns, host: h.slice(slash + 1).toLowerCase() }
}
