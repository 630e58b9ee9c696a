/** @module compile/policy — VirtualService HTTP route fields → compiled policies (retries, fault, CORS, …). */
import { parseDurationMs } from '../model/duration.ts'
import { arr, num, obj, str, strList, strMap } from '../model/read.ts'
import type {
  CorsPolicy,
  FaultPolicy,
  HeaderOperations,
  RetryPolicy,
  RewritePolicy,
  StringMatch,
} from '../proxyconfig/types.ts'

/** Istio ≥ 1.24 built-in retry policy (no 503: `retriable_status_codes` is empty). */
export function builtinRetry(): RetryPolicy {
  return {
    numRetries: 2,
    retryOn: ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes'],
    retriableStatusCodes: [],
    retryOtherHosts: true,
    backoffBaseMs: 25,
  }
}

/**
 * Converts an Istio HTTPRetry on top of `base` (the built-in or mesh default). `attempts` absent or 0
 * ⇒ no retries; `retryOn` replaces the token list (numeric tokens ⇒ status codes, with
 * `retriable-status-codes` added).
 */
export function convertRetry(spec: Record<string, unknown>, base: RetryPolicy): RetryPolicy | undefined {
  const attempts = num(spec.attempts) ?? 0
  if (attempts <= 0) return undefined
  const out: RetryPolicy = {
    ...base,
    retryOn: [...base.retryOn],
    retriableStatusCodes: [...base.retriableStatusCodes],
  }
  out.numRetries = attempts
  const retryOn = str(spec.retryOn)
  if (retryOn !== undefined && retryOn.trim() !== '') {
    const tokens = retryOn
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '')
    const codes = tokens.filter((t) => /^\d+$/.test(t)).map(Number)
    out.retryOn = tokens.filter((t) => !/^\d+$/.test(t))
    out.retriableStatusCodes = codes
    if (codes.length > 0 && !out.retryOn.includes('retriable-status-codes'))
      out.retryOn.push('retriable-status-codes')
  }
  const perTry = parseDurationMs(spec.perTryTimeout)
  if (perTry !== undefined && perTry > 0) out.perTryTimeoutMs = perTry
  else delete out.perTryTimeoutMs
  const backoff = parseDurationMs(spec.backoff)
  if (backoff !== undefined && backoff > 0) out.backoffBaseMs = backoff
  if (spec.retryIgnorePreviousHosts === false) out.retryOtherHosts = false
  return out
}

function percentOf(o: Record<string, unknown> | undefined, legacyKey: string, absent: number): number {
  const pct = obj(o?.percentage)
  const v = num(pct?.value)
  if (v !== undefined) return Math.min(100, Math.max(0, v))
  const legacy = num(o?.[legacyKey])
  if (legacy !== undefined) return Math.min(100, Math.max(0, legacy))
  return absent
}

/** Fault injection; a percentage that is absent means 0 (never fires), deprecated integer `percent` honoured. */
export function convertFault(spec: Record<string, unknown> | undefined): FaultPolicy | undefined {
  if (!spec) return undefined
  const out: FaultPolicy = {}
  const delay = obj(spec.delay)
  const fixed = parseDurationMs(delay?.fixedDelay)
  if (delay && fixed !== undefined)
    out.delay = { fixedDelayMs: fixed, percentage: percentOf(delay, 'percent', 0) }
  const abort = obj(spec.abort)
  if (abort) {
    const status = num(abort.httpStatus)
    const grpc = str(abort.grpcStatus)
    if (status !== undefined || grpc !== undefined)
      out.abort = {
        ...(status !== undefined ? { httpStatus: status } : {}),
        ...(grpc !== undefined ? { grpcStatus: grpc } : {}),
        percentage: percentOf(abort, 'percent', 0),
      }
  }
  return out.delay || out.abort ? out : undefined
}

/** Mirror percentage: `mirrorPercentage.value`, deprecated `mirrorPercent`, absent ⇒ 100. */
export function mirrorPercent(rule: Record<string, unknown>): number {
  const v = num(obj(rule.mirrorPercentage)?.value)
  if (v !== undefined) return Math.min(100, Math.max(0, v))
  const legacy = num(rule.mirrorPercent) ?? num(rule.mirror_percent)
  return legacy !== undefined ? Math.min(100, Math.max(0, legacy)) : 100
}

/** An Istio StringMatch (`exact|prefix|regex`; `{}` or `regex: "*"` ⇒ presence). */
export function convertStringMatch(v: unknown, ignoreCase = false): StringMatch | undefined {
  const o = obj(v)
  if (!o) return undefined
  const ic = ignoreCase ? { ignoreCase: true } : {}
  if (typeof o.exact === 'string') return { kind: 'exact', value: o.exact, ...ic }
  if (typeof o.prefix === 'string') return { kind: 'prefix', value: o.prefix, ...ic }
  if (typeof o.regex === 'string')
    return o.regex === '*' ? { kind: 'present' } : { kind: 'regex', value: o.regex }
  if (Object.keys(o).length === 0) return { kind: 'present' }
  return undefined
}

/** Header operations (`headers.request/response.{set,add,remove}`); `host`/`:authority` and pseudo headers left out. */
export function convertHeaders(v: unknown): { ops?: HeaderOperations; authority?: string } {
  const o = obj(v)
  if (!o) return {}
  const ops: HeaderOperations = {}
  let authority: string | undefined
  for (const dir of ['request', 'response'] as const) {
    const d = obj(o[dir])
    if (!d) continue
    const part: NonNullable<HeaderOperations['request']> = {}
    for (const kind of ['set', 'add'] as const) {
      const m = strMap(d[kind])
      const kept: Record<string, string> = {}
      for (const [k, val] of Object.entries(m)) {
        const key = k.toLowerCase()
        if (dir === 'request' && (key === 'host' || key === ':authority')) authority = val
        else if (!key.startsWith(':')) kept[key] = val
      }
      if (Object.keys(kept).length > 0) part[kind] = kept
    }
    const remove = strList(d.remove).map((s) => s.toLowerCase())
    if (remove.length > 0) part.remove = remove
    if (Object.keys(part).length > 0) ops[dir] = part
  }
  return { ...(Object.keys(ops).length > 0 ? { ops } : {}), ...(authority ? { authority } : {}) }
}

/** Rewrite of uri / uriRegexRewrite / authority. */
export function convertRewrite(v: unknown, authorityFromHeaders?: string): RewritePolicy | undefined {
  const o = obj(v)
  const out: RewritePolicy = {}
  const uri = str(o?.uri)
  if (uri !== undefined) out.uri = uri
  const rr = obj(o?.uriRegexRewrite)
  if (rr && str(rr.match) !== undefined)
    out.uriRegex = { pattern: str(rr.match) ?? '', substitution: str(rr.rewrite) ?? '' }
  const auth = str(o?.authority) ?? authorityFromHeaders
  if (auth) out.authority = auth
  return Object.keys(out).length > 0 ? out : undefined
}

/** CORS policy (`allowOrigins` StringMatches, deprecated `allowOrigin` exact strings). */
export function convertCors(v: unknown): CorsPolicy | undefined {
  const o = obj(v)
  if (!o) return undefined
  const origins: StringMatch[] = [
    ...arr(o.allowOrigins).flatMap((m) => {
      const sm = convertStringMatch(m)
      return sm ? [sm] : []
    }),
    ...strList(o.allowOrigin).map(
      (s): StringMatch => (s === '*' ? { kind: 'present' } : { kind: 'exact', value: s }),
    ),
  ]
  const out: CorsPolicy = { allowOrigins: origins }
  const methods = strList(o.allowMethods)
  if (methods.length > 0) out.allowMethods = methods
  const headers = strList(o.allowHeaders)
  if (headers.length > 0) out.allowHeaders = headers
  const expose = strList(o.exposeHeaders)
  if (expose.length > 0) out.exposeHeaders = expose
  const maxAge = parseDurationMs(o.maxAge)
  if (maxAge !== undefined) out.maxAgeSeconds = Math.floor(maxAge / 1000)
  if (typeof o.allowCredentials === 'boolean') out.allowCredentials = o.allowCredentials
  return out
}
