/**
 * @module analyze/analyzers/destination-rules — `virtualservice.DestinationRuleAnalyzer`: every subset a
 * route or mirror names is defined by a DestinationRule for that host (IST0101 "host+subset").
 */
import { specOf } from '../../api/resource.ts'
import { nsOf } from '../context.ts'
import { serviceOfHost } from '../hosts.ts'
import type { Analyzer } from '../types.ts'
import { arr, obj, str } from '../values.ts'
import { mirrorDestinations, type RouteDestination, routeDestinations } from './routes.ts'

export const destinationRuleAnalyzer: Analyzer = {
  name: 'virtualservice.DestinationRuleAnalyzer',
  description: 'Checks the destination rules associated with each virtual service',
  inputs: ['VirtualService', 'DestinationRule'],
  run(ctx, report) {
    const known = new Set<string>()
    for (const dr of ctx.kind('DestinationRule')) {
      const spec = specOf(dr)
      const svc = serviceOfHost(nsOf(dr), str(spec.host))
      for (const s of arr(spec.subsets)) known.add(`${svc.namespace}/${svc.name}+${str(obj(s).name)}`)
    }
    for (const vs of ctx.kind('VirtualService')) {
      const has = (host: string, subset: string): boolean => {
        if (subset === '') return true
        const svc = serviceOfHost(nsOf(vs), host)
        return known.has(`${svc.namespace}/${svc.name}+${subset}`)
      }
      for (const d of routeDestinations(vs)) {
        if (!has(d.host, d.subset))
          report(vs, 'IST0101', ['host+subset in destinationrule', `${d.host}+${d.subset}`], subsetPath(d))
      }
      for (const d of mirrorDestinations(vs)) {
        if (!has(d.host, d.subset)) {
          report(vs, 'IST0101', ['mirror+subset in destinationrule', `${d.host}+${d.subset}`], subsetPath(d))
        }
      }
    }
  },
}

/** The line of `subset:` is the one to fix. */
function subsetPath(d: RouteDestination): (string | number)[] {
  return [...d.path.slice(0, -1), 'subset']
}
