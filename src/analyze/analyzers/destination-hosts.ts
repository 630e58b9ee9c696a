/**
 * @module analyze/analyzers/destination-hosts — `virtualservice.DestinationHostAnalyzer`: every route and
 * mirror destination names a known service (IST0101), with a port when the service has several (IST0112),
 * and subset-less routes on gateways are not silently overridden by a mesh VS subset (IST0140).
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import { type AnalysisContext, nsOf, type ServiceView } from '../context.ts'
import type { Analyzer, Report } from '../types.ts'
import { strs } from '../values.ts'
import { fullName, mirrorDestinations, type RouteDestination, routeDestinations } from './routes.ts'

export const destinationHostAnalyzer: Analyzer = {
  name: 'virtualservice.DestinationHostAnalyzer',
  description: 'Checks the destination hosts associated with each virtual service',
  inputs: ['ServiceEntry', 'VirtualService', 'Service'],
  needs: ['services'],
  run(ctx, report) {
    const subsetDestinations = vsSubsetDestinations(ctx)
    for (const vs of ctx.kind('VirtualService')) {
      checkHosts(ctx, vs, report)
      checkIngressSubsets(vs, subsetDestinations, report)
    }
  },
}

function checkHosts(ctx: AnalysisContext, vs: Resource, report: Report): void {
  const exportTo = strs(specOf(vs).exportTo)
  const check = (d: RouteDestination, reftype: string): void => {
    const svc = ctx.destinationService(nsOf(vs), exportTo, d.host)
    if (!svc) report(vs, 'IST0101', [reftype, d.host], d.path)
    else checkPorts(vs, d, svc, report)
  }
  for (const d of routeDestinations(vs)) check(d, 'host')
  for (const d of mirrorDestinations(vs)) check(d, 'mirror host')
}

function checkPorts(vs: Resource, d: RouteDestination, svc: ServiceView, report: Report): void {
  if (d.port === undefined) {
    if (svc.ports.length > 1) {
      report(vs, 'IST0112', [d.host, svc.ports.map((p) => p.number)], d.path)
    }
    return
  }
  if (!svc.ports.some((p) => p.number === d.port))
    report(vs, 'IST0101', ['host:port', `${d.host}:${d.port}`], d.path)
}

/** For each VirtualService, its route destinations that use a subset of one of its own hosts. */
function vsSubsetDestinations(ctx: AnalysisContext): Map<Resource, RouteDestination[]> {
  const out = new Map<Resource, RouteDestination[]>()
  for (const vs of ctx.kind('VirtualService')) {
    const hosts = strs(specOf(vs).hosts)
    for (const d of routeDestinations(vs)) {
      if (d.path[1] !== 'http' || d.subset === '') continue
      for (const h of hosts) {
        if (d.host === h) out.set(vs, [...(out.get(vs) ?? []), d])
      }
    }
  }
  return out
}

function checkIngressSubsets(
  vs: Resource,
  withSubsets: Map<Resource, RouteDestination[]>,
  report: Report,
): void {
  if (strs(specOf(vs).gateways).length === 0) return
  for (const d of routeDestinations(vs)) {
    if (d.path[1] !== 'http' || d.subset !== '') continue
    for (const [other, dests] of withSubsets) {
      for (const od of dests) {
        if (od.host === d.host) report(vs, 'IST0140', [fullName(other), fullName(vs)], d.path)
      }
    }
  }
}
