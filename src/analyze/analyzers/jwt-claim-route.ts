/**
 * @module analyze/analyzers/jwt-claim-route — `virtualservice.JWTClaimRouteAnalyzer`: routing on a JWT claim
 * (`@request.auth.claims.…` headers) through a gateway needs a RequestAuthentication on the gateway pods, or
 * the claim is never available (IST0149).
 */
import { specOf } from '../../api/resource.ts'
import { nsOf } from '../context.ts'
import { selects } from '../labels.ts'
import type { Analyzer } from '../types.ts'
import { arr, labelsOf, obj, strs } from '../values.ts'

const CLAIM = '@request.auth.claims'

/** Istio's `ToRoutingClaim(...).Match`: `@request.auth.claims.a.b` or `@request.auth.claims[a][b]`. */
function isClaimHeader(name: string): boolean {
  if (!name.toLowerCase().startsWith(CLAIM)) return false
  const rest = name.slice(CLAIM.length)
  return (
    (rest.startsWith('.') && rest.length > 1) ||
    (rest.startsWith('[') && rest.endsWith(']') && rest.length > 2)
  )
}

export const jwtClaimRouteAnalyzer: Analyzer = {
  name: 'virtualservice.JWTClaimRouteAnalyzer',
  description:
    'Checks the VirtualService using JWT claim based routing has corresponding RequestAuthentication',
  inputs: ['VirtualService', 'RequestAuthentication', 'Gateway', 'Pod'],
  needs: ['pods'],
  run(ctx, report) {
    const raByNs = new Map<string, Record<string, string>[]>()
    for (const ra of ctx.kind('RequestAuthentication')) {
      const sel = labelsOf(obj(specOf(ra).selector).matchLabels)
      raByNs.set(nsOf(ra), [...(raByNs.get(nsOf(ra)) ?? []), sel])
    }
    for (const vs of ctx.kind('VirtualService')) {
      let key = ''
      for (const rule of arr(specOf(vs).http)) {
        for (const m of arr(obj(rule).match)) {
          key ||=
            [...Object.keys(obj(obj(m).headers)), ...Object.keys(obj(obj(m).withoutHeaders))].find(
              isClaimHeader,
            ) ?? ''
        }
      }
      if (key === '') continue
      for (const name of strs(specOf(vs).gateways)) {
        if (name === 'mesh') continue
        const slash = name.indexOf('/')
        const ref =
          slash >= 0 ? { ns: name.slice(0, slash), name: name.slice(slash + 1) } : { ns: nsOf(vs), name }
        const gw = ctx.kind('Gateway').find((g) => g.metadata.name === ref.name && nsOf(g) === ref.ns)
        if (!gw) continue
        const selector = labelsOf(specOf(gw).selector)
        for (const pod of ctx.pods) {
          if (!selects(selector, pod.labels)) continue
          const selectors = [
            ...(raByNs.get(ctx.mesh.rootNamespace) ?? []),
            ...(raByNs.get(pod.namespace) ?? []),
          ]
          if (selectors.some((s) => selects(s, pod.labels))) continue
          report(vs, 'IST0149', [key, `${ref.ns}/${ref.name}`, pod.name])
        }
      }
    }
  },
}
