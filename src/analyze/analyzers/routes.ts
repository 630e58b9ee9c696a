/** @module analyze/analyzers/routes — the destinations of a VirtualService, with the field path of each host. */
import { type Resource, specOf } from '../../api/resource.ts'
import { arr, obj, str } from '../values.ts'

/** One destination of a route or mirror, and where its `host` is written. */
export interface RouteDestination {
  host: string
  subset: string
  /** `destination.port.number`, when given. */
  port: number | undefined
  /** Field path of the host (`spec.http[0].route[1].destination.host`). */
  path: (string | number)[]
  /** Index of the http/tcp/tls rule. */
  rule: number
  /** Index of the route within the rule (or of the mirror). */
  index: number
}

function destinationOf(d: unknown, path: (string | number)[], rule: number, index: number): RouteDestination {
  const o = obj(d)
  const port = obj(o.port).number
  return {
    host: str(o.host),
    subset: str(o.subset),
    port: typeof port === 'number' ? port : undefined,
    path: [...path, 'host'],
    rule,
    index,
  }
}

/** Route destinations in Istio's order: tcp, tls, then http rules. */
export function routeDestinations(vs: Resource): RouteDestination[] {
  const spec = specOf(vs)
  const out: RouteDestination[] = []
  for (const section of ['tcp', 'tls', 'http'] as const) {
    arr(spec[section]).forEach((rule, i) => {
      arr(obj(rule).route).forEach((route, j) => {
        // A route without destination still names a host: "" (Istio reports it as not found).
        out.push(destinationOf(obj(route).destination, ['spec', section, i, 'route', j, 'destination'], i, j))
      })
    })
  }
  return out
}

/** Mirror destinations of http rules (`mirror` and `mirrors[].destination`). */
export function mirrorDestinations(vs: Resource): RouteDestination[] {
  const out: RouteDestination[] = []
  arr(specOf(vs).http).forEach((rule, i) => {
    const r = obj(rule)
    if (r.mirror !== undefined && r.mirror !== null)
      out.push(destinationOf(r.mirror, ['spec', 'http', i, 'mirror'], i, 0))
    arr(r.mirrors).forEach((m, j) => {
      out.push(destinationOf(obj(m).destination, ['spec', 'http', i, 'mirrors', j, 'destination'], i, j))
    })
  })
  return out
}

/** `ns/name`, or `name` without a namespace: Istio's `FullName.String()`. */
export function fullName(r: Resource): string {
  const ns = r.metadata.namespace
  return ns ? `${ns}/${r.metadata.name}` : r.metadata.name
}
