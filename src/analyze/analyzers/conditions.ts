/**
 * @module analyze/analyzers/conditions — `conditions.ConditionAnalyzer`: negative status conditions written
 * by the control plane (waypoint binding, ztunnel/waypoint acceptance, Gateway API acceptance) (IST0171).
 */
import type { Resource } from '../../api/resource.ts'
import type { Analyzer } from '../types.ts'
import { arr, obj, str } from '../values.ts'

const ROUTE_CONDITIONS = ['Accepted', 'Programmed', 'ResolvedRefs']

/** Kind (as the context keys it) → condition types reported when False. */
const NEGATIVE: Readonly<Record<string, readonly string[]>> = {
  Service: ['istio.io/WaypointBound'],
  ServiceEntry: ['istio.io/WaypointBound'],
  WorkloadEntry: ['istio.io/WaypointBound'],
  AuthorizationPolicy: ['ZtunnelAccepted', 'WaypointAccepted'],
  'gateway.networking.k8s.io/Gateway': ROUTE_CONDITIONS,
  HTTPRoute: ROUTE_CONDITIONS,
  GRPCRoute: ROUTE_CONDITIONS,
}

function conditionsOf(r: Resource, kind: string): Record<string, unknown>[] {
  const status = obj(r.body.status)
  if (kind === 'HTTPRoute' || kind === 'GRPCRoute') {
    return arr(status.parents).flatMap((p) => arr(obj(p).conditions).map(obj))
  }
  return arr(status.conditions).map(obj)
}

export const conditionAnalyzer: Analyzer = {
  name: 'conditions.ConditionAnalyzer',
  description: 'Checks for negative status conditions on resources',
  inputs: [
    'Service',
    'ServiceEntry',
    'WorkloadEntry',
    'AuthorizationPolicy',
    'KubernetesGateway',
    'HTTPRoute',
    'GRPCRoute',
  ],
  run(ctx, report) {
    for (const [kind, types] of Object.entries(NEGATIVE)) {
      for (const r of ctx.kind(kind)) {
        for (const c of conditionsOf(r, kind)) {
          const type = str(c.type)
          const args = [type, str(c.reason), str(c.message)]
          if (types.includes(type) && str(c.status) === 'False') report(r, 'IST0171', args)
          if (
            kind === 'AuthorizationPolicy' &&
            type === 'WaypointAccepted' &&
            str(c.reason) === 'PartiallyInvalid'
          ) {
            report(r, 'IST0171', args)
          }
        }
      }
    }
  },
}
