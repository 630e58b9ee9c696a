/** @module compile/tcp-routes — VirtualService `tcp[]` / `tls[]` rules → TCP routes for one proxy and port. */
import { arr, obj, strList } from '../model/read.ts'
import type { ConfigEntry } from '../model/types.ts'
import type { TcpRoute } from '../proxyconfig/types.ts'
import type { CompileContext } from './context.ts'
import { backends } from './destinations.ts'
import { boundGateways, matchApplies, type RouteScope } from './route-match.ts'

/**
 * The TCP routes of one VirtualService for this proxy and port, in order. Match blocks that do not
 * apply here (port, sourceLabels, sourceNamespace, gateways) are dropped; a rule without match, or a
 * tcp match without `destinationSubnets`, ends the list. Unmatched connections fall through to the
 * listener's default cluster.
 */
export function translateTcpRules(
  ctx: CompileContext,
  vs: ConfigEntry,
  scope: RouteScope,
  kind: 'tcp' | 'tls',
): TcpRoute[] {
  const out: TcpRoute[] = []
  const rules = arr(vs.spec[kind])
  for (let i = 0; i < rules.length; i++) {
    const rule = obj(rules[i])
    if (!rule) continue
    const bs = backends(ctx, vs, rule, scope.port, [kind, i]).map(({ headers: _h, ...b }) => b)
    const matches = arr(rule.match).map(obj)
    if (matches.length === 0) {
      if (!boundGateways(vs).includes(scope.gateway ?? 'mesh')) continue
      out.push({ origin: { virtualService: vs.key, rule: i }, match: {}, backends: bs })
      return out
    }
    let terminal = false
    matches.forEach((m, j) => {
      if (!m || !matchApplies(ctx, vs, m, scope)) return
      const subnets = strList(m.destinationSubnets)
      const sni = strList(m.sniHosts)
      out.push({
        origin: { virtualService: vs.key, rule: i, match: j },
        match: {
          ...(subnets.length > 0 ? { destinationSubnets: subnets } : {}),
          ...(kind === 'tls' && sni.length > 0 ? { sniHosts: sni } : {}),
        },
        backends: bs,
      })
      if (subnets.length === 0 && (kind === 'tcp' || sni.length === 0)) terminal = true
    })
    if (terminal) return out
  }
  return out
}
