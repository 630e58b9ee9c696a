/** @module api/semantic/virtualservice — Istio's webhook checks for VirtualService (`pkg/config/validation`). */
import type { Segment } from '../k8s-path.ts'
import {
  checkExportTo,
  checkLabels,
  checkPort,
  type Findings,
  hostSubsetOf,
  hostsOverlap,
  isDns1123Label,
  isIpAddress,
  isIpOrCidr,
  list,
  num,
  type Obj,
  obj,
  wildcardDomainProblem,
} from './common.ts'
import { checkDestinations, checkHttpRoute } from './http-route.ts'

/** Checks a VirtualService spec. */
export function checkVirtualService(f: Findings, spec: Obj): void {
  const base: Segment[] = ['spec']
  const hosts = list(spec.hosts)
  const gateways = list(spec.gateways)
  const isDelegate = hosts.length === 0
  if (isDelegate && gateways.length > 0) {
    f.error([...base, 'gateways'], 'delegate virtual service must have no gateways specified')
  }
  const appliesToMesh = gateways.length === 0 || gateways.includes('mesh')
  hosts.forEach((h, i) => {
    if (typeof h !== 'string') return
    const p = wildcardDomainProblem(h)
    if (p && !isIpAddress(h)) f.error([...base, 'hosts', i], p)
    else if (h === '*' && appliesToMesh) {
      f.error(
        [...base, 'hosts', i],
        'wildcard host * is not allowed for virtual services bound to the mesh gateway',
      )
    }
  })
  const names = hosts.filter((h): h is string => typeof h === 'string')
  if (names.every((h) => !wildcardDomainProblem(h) || isIpAddress(h))) {
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        const a = names[i] as string
        const b = names[j] as string
        if (hostsOverlap(a, b))
          f.error([...base, 'hosts', j], `duplicate hosts in virtual service: ${a} & ${b}`)
      }
    }
  }
  gateways.forEach((g, i) => {
    if (typeof g === 'string') checkGatewayName(f, [...base, 'gateways', i], g)
  })
  checkExportTo(f, [...base, 'exportTo'], spec.exportTo, false)
  if (appliesToMesh) checkNoJwtClaimRouting(f, base, spec)
  if (list(spec.http).length === 0 && list(spec.tcp).length === 0 && list(spec.tls).length === 0) {
    f.error(base, 'http, tcp or tls must be provided in virtual service')
  }
  list(spec.http).forEach((r, i) => {
    const route = obj(r)
    if (route) checkHttpRoute(f, [...base, 'http', i], route, isDelegate)
  })
  list(spec.tcp).forEach((r, i) => {
    const route = obj(r)
    if (!route) return
    const path = [...base, 'tcp', i]
    list(route.match).forEach((m, j) => {
      checkL4Match(f, [...path, 'match', j], obj(m))
    })
    if (list(route.route).length === 0) f.error(path, 'TCP route is required')
    checkDestinations(f, [...path, 'route'], list(route.route))
  })
  list(spec.tls).forEach((r, i) => {
    const route = obj(r)
    if (!route) return
    const path = [...base, 'tls', i]
    const matches = list(route.match)
    if (matches.length === 0) f.error(path, 'TLS route must have at least one match condition')
    matches.forEach((m, j) => {
      const match = obj(m)
      if (match && list(match.sniHosts).length === 0) {
        f.error([...path, 'match', j], 'TLS match must have at least one SNI host')
      }
      list(match?.sniHosts).forEach((sni, k) => {
        if (typeof sni !== 'string') return
        const p = wildcardDomainProblem(sni)
        if (p) f.error([...path, 'match', j, 'sniHosts', k], p)
        else if (!names.some((h) => hostSubsetOf(sni, h))) {
          f.error(
            [...path, 'match', j, 'sniHosts', k],
            `SNI host "${sni}" is not a compatible subset of any of the virtual service hosts: [${names.join(', ')}]`,
          )
        }
      })
      checkL4Match(f, [...path, 'match', j], match)
    })
    if (list(route.route).length === 0) f.error(path, 'TLS route is required')
    checkDestinations(f, [...path, 'route'], list(route.route))
  })
}

/** JWT-claim routing (`@request.auth.claims.…` header keys) works only on gateways. */
function checkNoJwtClaimRouting(f: Findings, base: Segment[], spec: Obj): void {
  list(spec.http).forEach((r, i) => {
    list(obj(r)?.match).forEach((m, j) => {
      for (const k of ['headers', 'withoutHeaders']) {
        for (const key of Object.keys(obj(obj(m)?.[k]) ?? {})) {
          if (!key.startsWith('@request.auth.claims')) continue
          f.error(
            [...base, 'http', i, 'match', j, k, key],
            `JWT claim based routing (key: ${key}) is only supported for gateway, found no gateways: [${list(spec.gateways).join(', ')}]`,
          )
        }
      }
    })
  })
}

function checkGatewayName(f: Findings, path: Segment[], g: string): void {
  const parts = g.split('/')
  if (parts.length === 1) return
  const [ns, name] = parts
  if (parts.length > 2 || !ns || !name) {
    f.error(path, `invalid gateway name "${g}": expected <namespace>/<name>`)
  } else if (ns !== '.' && !isDns1123Label(ns)) {
    f.error(path, `invalid value for namespace: "${ns}"`)
  } else if (!isDns1123Label(name)) {
    f.error(path, `invalid value for gateway name: "${name}"`)
  }
}

function checkL4Match(f: Findings, path: Segment[], match: Obj | undefined): void {
  if (!match) return
  if (num(match.port) !== 0) checkPort(f, [...path, 'port'], match.port)
  checkLabels(f, [...path, 'sourceLabels'], match.sourceLabels)
  list(match.destinationSubnets).forEach((s, i) => {
    if (typeof s === 'string' && !isIpOrCidr(s)) {
      f.error([...path, 'destinationSubnets', i], `"${s}" is not a valid IP address or CIDR`)
    }
  })
}
