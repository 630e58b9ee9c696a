/** @module api/semantic/virtualservice — Istio's webhook checks for VirtualService (`pkg/config/validation`). */
import { STATUS_CODES } from 'node:http'
import { codes } from '../codes.ts'
import type { Segment } from '../k8s-path.ts'
import {
  checkExportTo,
  checkLabels,
  checkPercentage,
  checkPort,
  checkStringMatch,
  type Findings,
  has,
  hostSubsetOf,
  hostsOverlap,
  isDns1123Label,
  isIpAddress,
  isIpOrCidr,
  list,
  num,
  type Obj,
  obj,
  regexProblem,
  str,
  wildcardDomainProblem,
} from './common.ts'

/** Envoy retry policies Istio accepts in `retryOn` (besides HTTP status codes). */
const RETRY_ON = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'envoy-ratelimited',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
])

const GRPC_STATUS = new Set([
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
])

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

function checkHttpRoute(f: Findings, path: Segment[], route: Obj, isDelegate: boolean): void {
  const kinds = ['route', 'redirect', 'directResponse', 'delegate'].filter((k) =>
    k === 'route' ? list(route.route).length > 0 : has(route, k),
  )
  if (kinds.length === 0) {
    f.error(path, 'HTTP route, redirect, directResponse or delegate is required')
  } else if (kinds.length > 1) {
    f.error(
      path,
      `HTTP route may have only one of route, redirect, directResponse or delegate (found ${kinds.join(' and ')})`,
    )
  }
  if (has(route, 'delegate') && isDelegate)
    f.error([...path, 'delegate'], 'delegate virtual service cannot delegate again')
  if (has(route, 'redirect') || has(route, 'directResponse')) {
    const what = has(route, 'redirect') ? 'redirect' : 'directResponse'
    if (has(route, 'rewrite'))
      f.error([...path, 'rewrite'], `HTTP route cannot contain both rewrite and ${what}`)
    if (has(route, 'fault')) f.error([...path, 'fault'], `HTTP route cannot contain both fault and ${what}`)
  }
  list(route.match).forEach((m, i) => {
    const match = obj(m)
    if (match) checkHttpMatch(f, [...path, 'match', i], match)
  })
  checkDestinations(f, [...path, 'route'], list(route.route))
  checkRetries(f, [...path, 'retries'], obj(route.retries))
  checkFault(f, [...path, 'fault'], obj(route.fault))
  checkMirrors(f, path, route)
  checkRedirect(f, [...path, 'redirect'], obj(route.redirect))
  checkRewrite(f, [...path, 'rewrite'], obj(route.rewrite))
  const dr = obj(route.directResponse)
  if (dr) checkStatus(f, [...path, 'directResponse', 'status'], dr.status)
  list(obj(route.corsPolicy)?.allowOrigins).forEach((o, i) => {
    checkStringMatch(f, [...path, 'corsPolicy', 'allowOrigins', i], o, 'corsPolicy.allowOrigins')
  })
}

function checkHttpMatch(f: Findings, path: Segment[], match: Obj): void {
  for (const k of ['uri', 'scheme', 'method', 'authority']) checkStringMatch(f, [...path, k], match[k], k)
  for (const k of ['headers', 'withoutHeaders']) {
    const headers = obj(match[k])
    if (!headers) continue
    for (const [name, sm] of Object.entries(headers)) {
      if (name !== name.toLowerCase() && !name.startsWith('@request.auth.claims')) {
        f.error([...path, k, name], `header match ${name} must be lowercase`)
        continue
      }
      if (name === '') f.error([...path, k], 'header name cannot be empty')
      checkStringMatch(f, [...path, k, name], sm, `headers.${name}`)
    }
  }
  const qp = obj(match.queryParams)
  if (qp)
    for (const [name, sm] of Object.entries(qp))
      checkStringMatch(f, [...path, 'queryParams', name], sm, `queryParams.${name}`)
  if (num(match.port) !== 0) checkPort(f, [...path, 'port'], match.port)
  checkLabels(f, [...path, 'sourceLabels'], match.sourceLabels)
}

/** Destination checks shared by route destinations and mirrors. */
function checkDestination(f: Findings, path: Segment[], d: Obj | undefined): void {
  if (!d) return
  const host = str(d.host)
  if (host === '*') f.error([...path, 'host'], 'invalid destination host *')
  else if (host !== undefined) {
    const p = wildcardDomainProblem(host)
    if (p) f.error([...path, 'host'], p)
  }
  const subset = str(d.subset)
  if (subset !== undefined && subset !== '' && !isDns1123Label(subset)) {
    f.error([...path, 'subset'], `subset name is invalid: ${subset}`)
  }
  const port = obj(d.port)
  if (port && has(port, 'number')) checkPort(f, [...path, 'port', 'number'], port.number)
}

function checkDestinations(f: Findings, path: Segment[], routes: unknown[]): void {
  let total = 0
  routes.forEach((r, i) => {
    const rd = obj(r)
    if (!rd) return
    if (!has(rd, 'destination')) f.error([...path, i], 'destination is required')
    checkDestination(f, [...path, i, 'destination'], obj(rd.destination))
    const w = num(rd.weight)
    if (w === undefined) return
    if (w < 0) f.error([...path, i, 'weight'], `weight ${w} < 0`)
    else total += w
  })
  if (routes.length > 1 && total === 0 && !routes.some((r) => (num(obj(r)?.weight) ?? 0) < 0)) {
    f.error(path, 'total destination weight = 0')
  }
}

function checkRetries(f: Findings, path: Segment[], r: Obj | undefined): void {
  if (!r) return
  const attempts = num(r.attempts) ?? 0
  if (attempts < 0) f.error([...path, 'attempts'], 'attempts cannot be negative')
  const retryOn = str(r.retryOn)
  if (
    attempts === 0 &&
    (has(r, 'perTryTimeout') || (retryOn ?? '') !== '' || has(r, 'retryRemoteLocalities'))
  ) {
    f.error(
      has(r, 'attempts') ? [...path, 'attempts'] : path,
      'http retry policy configured when attempts are set to 0 (disabled)',
    )
  }
  if (retryOn === undefined || retryOn === '') return
  // Istio splits on "," without trimming: "5xx, reset" has the token " reset", which is rejected.
  for (const token of retryOn.split(',')) {
    const code = /^[+-]?\d+$/.test(token) ? Number(token) : 0
    if (RETRY_ON.has(token) || STATUS_CODES[code] !== undefined) continue
    f.error([...path, 'retryOn'], `${JSON.stringify(token)} is not a valid retryOn policy`)
  }
}

function checkStatus(f: Findings, path: Segment[], v: unknown): void {
  const s = num(v)
  if (s !== undefined && (s < 200 || s > 599)) f.error(path, `HTTP status ${s} is not in range 200-599`)
}

function checkFault(f: Findings, path: Segment[], fault: Obj | undefined): void {
  if (!fault) return
  const abort = obj(fault.abort)
  const delay = obj(fault.delay)
  if (!abort && !delay) {
    f.error(path, 'HTTP fault injection must have an abort and/or a delay')
    return
  }
  if (abort) {
    const p = [...path, 'abort']
    checkPercentage(f, [...p, 'percentage'], abort.percentage)
    if (has(abort, 'http2Error'))
      f.error([...p, 'http2Error'], 'HTTP/2 abort fault injection not supported yet')
    else if (has(abort, 'grpcStatus')) {
      const g = str(abort.grpcStatus) ?? ''
      if (!GRPC_STATUS.has(g))
        f.error([...p, 'grpcStatus'], `gRPC status "${g}" is not supported, for example 'NOT_FOUND'`)
    } else if (has(abort, 'httpStatus')) checkStatus(f, [...p, 'httpStatus'], abort.httpStatus)
    else f.warn(p, 'abort configured, but error type not set')
    deprecatedPercent(f, p, abort)
  }
  if (delay) {
    const p = [...path, 'delay']
    checkPercentage(f, [...p, 'percentage'], delay.percentage)
    if (has(delay, 'exponentialDelay'))
      f.error([...p, 'exponentialDelay'], 'exponentialDelay not supported yet')
    deprecatedPercent(f, p, delay)
  }
}

function deprecatedPercent(f: Findings, path: Segment[], o: Obj): void {
  if (!has(o, 'percent')) return
  const v = num(o.percent)
  if (v !== undefined && (v < 0 || v > 100))
    f.error([...path, 'percent'], `percentage ${v} is not in range 0..100`)
  else f.warn([...path, 'percent'], '"percent" is deprecated; use "percentage: {value: N}"', codes.DEPRECATED)
}

function checkMirrors(f: Findings, path: Segment[], route: Obj): void {
  const mirrors = list(route.mirrors)
  if (has(route, 'mirror') && mirrors.length > 0)
    f.error([...path, 'mirrors'], 'cannot specify both mirror and mirrors')
  checkDestination(f, [...path, 'mirror'], obj(route.mirror))
  const mp = num(obj(route.mirrorPercentage)?.value)
  if (mp !== undefined && (mp < 0 || mp > 100)) {
    f.error(
      [...path, 'mirrorPercentage', 'value'],
      `mirror percentage must be in range 0..100 (it has ${mp})`,
    )
  }
  for (const key of ['mirrorPercent', 'mirror_percent']) {
    if (!has(route, key)) continue
    const v = num(route[key])
    if (v !== undefined && v > 100)
      f.error([...path, key], `mirror percentage must have a max value of 100 (it has ${v})`)
    else
      f.warn([...path, key], `"${key}" is deprecated; use "mirrorPercentage: {value: N}"`, codes.DEPRECATED)
  }
  mirrors.forEach((m, i) => {
    const mirror = obj(m)
    if (!mirror) return
    if (!has(mirror, 'destination')) f.error([...path, 'mirrors', i], 'destination is required for mirrors')
    checkDestination(f, [...path, 'mirrors', i, 'destination'], obj(mirror.destination))
    const v = num(obj(mirror.percentage)?.value)
    if (v !== undefined && (v < 0 || v > 100)) {
      f.error(
        [...path, 'mirrors', i, 'percentage', 'value'],
        `mirror percentage must be in range 0..100 (it has ${v})`,
      )
    }
  })
}

function checkRedirect(f: Findings, path: Segment[], r: Obj | undefined): void {
  if (!r) return
  if (
    !has(r, 'uri') &&
    !has(r, 'authority') &&
    !has(r, 'port') &&
    !has(r, 'derivePort') &&
    !has(r, 'scheme')
  ) {
    f.error(path, 'redirect must specify URI, authority, scheme, or port')
  }
  const code = num(r.redirectCode)
  if (code !== undefined && code !== 0 && (code < 300 || code > 399)) {
    f.error([...path, 'redirectCode'], `${code} is not a valid redirect code, must be 3xx`)
  }
  const scheme = str(r.scheme)
  if (scheme !== undefined && scheme !== '' && scheme !== 'http' && scheme !== 'https') {
    f.error([...path, 'scheme'], 'invalid redirect scheme, must be "http" or "https"')
  }
  if (has(r, 'port')) checkPort(f, [...path, 'port'], r.port)
}

function checkRewrite(f: Findings, path: Segment[], r: Obj | undefined): void {
  if (!r) return
  const rr = obj(r.uriRegexRewrite)
  if (str(r.uri) && rr) f.error(path, 'rewrite may only contain one of URI or UriRegexRewrite')
  if (!str(r.uri) && !rr && !str(r.authority)) {
    f.error(path, 'rewrite must specify at least one of URI, UriRegexRewrite, or authority')
  }
  if (!rr) return
  const match = str(rr.match) ?? ''
  if (match === '' || (str(rr.rewrite) ?? '') === '') {
    f.error(
      [...path, 'uriRegexRewrite'],
      'UriRegexRewrite requires both Rewrite and Match fields to be specified',
    )
    return
  }
  const p = regexProblem(match)
  if (p) f.error([...path, 'uriRegexRewrite', 'match'], `invalid regex ${JSON.stringify(match)}: ${p}`)
}
