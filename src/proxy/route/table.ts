/**
 * @module proxy/route/table — a compiled route table: authority → virtual host → first matching route.
 *
 * Envoy's domain precedence, case-insensitive, port ignored: exact (a Map lookup) > longest suffix
 * wildcard (`*.example.com`) > longest prefix wildcard (`reviews.*`) > `*`. No virtual host or no
 * matching route ⇒ 404 NR (the caller decides).
 */
import type { Route, RouteTable, VirtualHost } from '../../proxyconfig/types.ts'
import { compileRouteMatch, type MatchInput } from './match.ts'

/** A route with its match compiled. */
export interface CompiledRoute {
  route: Route
  matches: (req: MatchInput) => boolean
}

/** A virtual host with its routes compiled. */
export interface CompiledVirtualHost {
  vhost: VirtualHost
  routes: CompiledRoute[]
}

/** The compiled table: `select(authority)` and `route(vhost, req)`. */
export interface CompiledRouteTable {
  name: string
  select(authority: string): CompiledVirtualHost | undefined
}

/** The host of a Host/:authority, lower-case, without port (`[::1]:80` → `[::1]`). */
export function hostOnly(authority: string): string {
  let a = authority
  if (a.charCodeAt(0) === 91 /* [ */) {
    const end = a.indexOf(']')
    return (end < 0 ? a : a.slice(0, end + 1)).toLowerCase()
  }
  const colon = a.indexOf(':')
  if (colon >= 0 && a.indexOf(':', colon + 1) < 0) a = a.slice(0, colon)
  return a.toLowerCase()
}

/** Compiles a route table. Throws on an invalid regex (config validation reports it first). */
export function compileRouteTable(table: RouteTable): CompiledRouteTable {
  const exact = new Map<string, CompiledVirtualHost>()
  const suffixes: { suffix: string; vh: CompiledVirtualHost }[] = []
  const prefixes: { prefix: string; vh: CompiledVirtualHost }[] = []
  let star: CompiledVirtualHost | undefined
  for (const vhost of table.virtualHosts) {
    const vh: CompiledVirtualHost = {
      vhost,
      routes: vhost.routes.map((route) => ({ route, matches: compileRouteMatch(route.match) })),
    }
    for (const raw of vhost.domains) {
      const d = hostOnlyDomain(raw)
      if (d === '*') star ??= vh
      else if (d.startsWith('*')) suffixes.push({ suffix: d.slice(1), vh })
      else if (d.endsWith('*')) prefixes.push({ prefix: d.slice(0, -1), vh })
      else if (!exact.has(d)) exact.set(d, vh)
    }
  }
  // Longest first; stable sort keeps the earlier virtual host on ties.
  suffixes.sort((a, b) => b.suffix.length - a.suffix.length)
  prefixes.sort((a, b) => b.prefix.length - a.prefix.length)
  return {
    name: table.name,
    select(authority) {
      const host = hostOnly(authority)
      const e = exact.get(host)
      if (e) return e
      for (const s of suffixes) if (host.length > s.suffix.length && host.endsWith(s.suffix)) return s.vh
      for (const p of prefixes) if (host.length > p.prefix.length && host.startsWith(p.prefix)) return p.vh
      return star
    },
  }
}

/** Domains are matched without their port too (`reviews:9080` in a domain list ≡ `reviews`). */
function hostOnlyDomain(domain: string): string {
  const d = domain.toLowerCase()
  if (d === '*' || d.startsWith('*') || d.endsWith('*')) return d
  return hostOnly(d)
}

/** The first route of the virtual host whose match holds, or undefined (404 NR). */
export function firstRoute(vh: CompiledVirtualHost, req: MatchInput): CompiledRoute | undefined {
  for (const r of vh.routes) if (r.matches(req)) return r
  return undefined
}
