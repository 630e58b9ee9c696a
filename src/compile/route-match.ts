/** @module compile/route-match — VirtualService match blocks: config-time selection and request conditions. */
import { resolveGatewayName } from '../model/host.ts'
import { labelsMatch, num, obj, str, strList, strMap } from '../model/read.ts'
import type { ConfigEntry } from '../model/types.ts'
import type { HeaderMatch, RouteMatch } from '../proxyconfig/types.ts'
import type { CompileContext } from './context.ts'
import { convertStringMatch } from './policy.ts'

/** Where routes are being compiled: the listener port and, on a gateway, the gateway's `ns/name`. */
export interface RouteScope {
  port: number
  /** Set when compiling for a gateway server. */
  gateway?: string
}

/** Gateways a VirtualService (or one of its matches) is bound to, resolved to `mesh` / `ns/name`. */
export function boundGateways(vs: ConfigEntry, list?: unknown): string[] {
  const names = strList(list ?? vs.spec.gateways)
  return names.length === 0 ? ['mesh'] : names.map((g) => resolveGatewayName(g, vs.namespace))
}

/** True when a match block applies to this proxy and port (decided at config time). */
export function matchApplies(
  ctx: CompileContext,
  vs: ConfigEntry,
  m: Record<string, unknown>,
  scope: RouteScope,
): boolean {
  const port = num(m.port)
  if (port !== undefined && port !== scope.port) return false
  const own = strList(m.gateways)
  const gws = own.length > 0 ? boundGateways(vs, m.gateways) : boundGateways(vs)
  if (!gws.includes(scope.gateway ?? 'mesh')) return false
  if (own.length > 0 || scope.gateway) return true
  const src = obj(m.sourceLabels)
  if (src && !labelsMatch(strMap(src), ctx.node.labels)) return false
  const srcNs = str(m.sourceNamespace)
  if (srcNs !== undefined && srcNs !== ctx.node.namespace) return false
  return true
}

/** An Istio HTTPMatchRequest as a compiled RouteMatch (request-time conditions only). */
export function convertMatch(m: Record<string, unknown>): RouteMatch {
  const out: RouteMatch = {}
  const ic = m.ignoreUriCase === true
  const uri = convertStringMatch(m.uri, ic)
  if (uri) out.path = uri
  const method = convertStringMatch(m.method)
  if (method) out.method = method
  const scheme = convertStringMatch(m.scheme)
  if (scheme) out.scheme = scheme
  const authority = convertStringMatch(m.authority)
  if (authority) out.authority = authority
  const headers: HeaderMatch[] = []
  const skip = new Set(['uri', 'scheme', 'method', 'authority'])
  for (const [key, invert] of [
    ['headers', false],
    ['withoutHeaders', true],
  ] as const) {
    for (const [name, v] of Object.entries(obj(m[key]) ?? {})) {
      const sm = convertStringMatch(v)
      // `@request.auth.claims.*` (JWT claims) stays a header condition no request carries: never matches.
      if (!sm || skip.has(name.toLowerCase())) continue
      headers.push({ name: name.toLowerCase(), match: sm, ...(invert ? { invert: true } : {}) })
    }
  }
  if (headers.length > 0) out.headers = headers
  const qp = Object.entries(obj(m.queryParams) ?? {}).flatMap(([name, v]) => {
    const sm = convertStringMatch(v)
    return sm ? [{ name, match: sm }] : []
  })
  if (qp.length > 0) out.queryParams = qp
  return out
}

/** True for a match that holds for every request (no conditions, or only path prefix `/` / regex `.*`). */
export function isCatchAll(m: RouteMatch): boolean {
  const { path, ...rest } = m
  if (Object.keys(rest).length > 0) return false
  if (!path) return true
  return (path.kind === 'prefix' && path.value === '/') || (path.kind === 'regex' && path.value === '.*')
}
