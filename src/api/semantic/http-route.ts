/** @module api/semantic/http-route — Istio's webhook checks for one VirtualService HTTP route and its destinations. */
import { STATUS_CODES } from 'node:http'
import { codes } from '../codes.ts'
import type { Segment } from '../k8s-path.ts'
import {
  checkLabels,
  checkPercentage,
  checkPort,
  checkStringMatch,
  type Findings,
  has,
  isDns1123Label,
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

/** Checks one `http[]` route: the action, matches, destinations, retries, fault, mirrors, redirect, rewrite. */
export function checkHttpRoute(f: Findings, path: Segment[], route: Obj, isDelegate: boolean): void {
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

/** Checks weighted destinations (`route[]` of http, tcp and tls routes): hosts, subsets, ports, weights. */
export function checkDestinations(f: Findings, path: Segment[], routes: unknown[]): void {
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
