/**
 * @module proxyconfig/match — request matching over compiled config, shared by the proxy and `explain`.
 *
 * Pure functions, no I/O: virtual host selection by Host/:authority (Envoy's domain precedence, port
 * ignored), StringMatch (RE2 full match via re2js, compiled once per matcher object), and route
 * matching (all conditions of a RouteMatch AND; first matching route wins). The proxy (`src/proxy/`)
 * and `src/compile/explain.ts` both import this module so that what `weir explain` claims is exactly
 * what the proxy does.
 *
 * Semantics (Istio/Envoy):
 * - regex matches the WHOLE value (`^(?:re)$`); an invalid regex never matches.
 * - `ignoreCase` applies to exact/prefix/suffix.
 * - a header with several values is matched as one comma-joined string (`cookie` is joined with `; `);
 *   an absent header fails every matcher, presence included; `invert` (withoutHeaders) treats an
 *   absent header as '' (except the presence form, which then holds, so the inverted condition holds).
 * - path matching ignores the query string; query params use the first value of a key.
 */
import { RE2JS } from 're2js'
import type { HeaderMatch, RouteMatch, StringMatch, VirtualHost } from './types.ts'

/** What a matcher sees of a request. Header names are lower-case (Node's `IncomingHttpHeaders` shape). */
export interface RequestView {
  /** The `:path`, query string included (`/a/b?x=1`). */
  path: string
  method: string
  /** `http` or `https`. */
  scheme?: string
  /** Host / :authority as sent, port included when sent. */
  authority: string
  headers: Readonly<Record<string, string | readonly string[] | undefined>>
}

const regexCache = new WeakMap<object, RE2JS | null>()

/** Compiles an RE2 pattern as a full match; null when the pattern does not compile. */
export function compileFullRegex(pattern: string): RE2JS | null {
  try {
    return RE2JS.compile(`^(?:${pattern})$`)
  } catch {
    return null
  }
}

function regexOf(m: { kind: 'regex'; value: string }): RE2JS | null {
  let re = regexCache.get(m)
  if (re === undefined) {
    re = compileFullRegex(m.value)
    regexCache.set(m, re)
  }
  return re
}

/** True when `value` satisfies the matcher. `undefined` means absent and fails every matcher. */
export function matchString(m: StringMatch, value: string | undefined): boolean {
  if (value === undefined) return false
  switch (m.kind) {
    case 'present':
      return true
    case 'regex':
      return regexOf(m)?.test(value) ?? false
    case 'exact':
      return m.ignoreCase ? value.toLowerCase() === m.value.toLowerCase() : value === m.value
    case 'prefix':
      return m.ignoreCase ? value.toLowerCase().startsWith(m.value.toLowerCase()) : value.startsWith(m.value)
    case 'suffix':
      return m.ignoreCase ? value.toLowerCase().endsWith(m.value.toLowerCase()) : value.endsWith(m.value)
  }
}

/** `prefix "/api"`, `regex "^(.*?;)?x$"`, `present` — for explanations. */
export function describeStringMatch(m: StringMatch): string {
  if (m.kind === 'present') return 'present'
  const ic = m.kind !== 'regex' && m.ignoreCase ? ' (ignore case)' : ''
  return `${m.kind} ${JSON.stringify(m.value)}${ic}`
}

/** The value of a header as Envoy matches it: several values comma-joined (`cookie`: `; `). */
export function headerValue(req: Pick<RequestView, 'headers'>, name: string): string | undefined {
  const v = req.headers[name]
  if (v === undefined) return undefined
  if (typeof v === 'string') return v
  return v.join(name === 'cookie' ? '; ' : ',')
}

/** The path without query string and fragment. */
export function pathOnly(path: string): string {
  let end = path.length
  const q = path.indexOf('?')
  if (q >= 0) end = q
  const h = path.indexOf('#')
  if (h >= 0 && h < end) end = h
  return path.slice(0, end)
}

function queryValue(path: string, name: string): string | undefined {
  const q = path.indexOf('?')
  if (q < 0) return undefined
  const h = path.indexOf('#', q)
  const params = new URLSearchParams(path.slice(q + 1, h < 0 ? undefined : h))
  return params.get(name) ?? undefined
}

function matchHeader(h: HeaderMatch, req: RequestView): boolean {
  const v = headerValue(req, h.name)
  if (!h.invert) return matchString(h.match, v)
  if (v === undefined && h.match.kind !== 'present') return !matchString(h.match, '')
  return !matchString(h.match, v)
}

/** Pseudo-headers as the request carries them. */
function pseudo(req: RequestView, name: ':method' | ':scheme' | ':authority'): string | undefined {
  if (name === ':method') return req.method.toUpperCase()
  if (name === ':scheme') return req.scheme ?? 'http'
  return req.authority
}

/** True when every condition of the match holds (an empty match holds for every request). */
export function matchRoute(m: RouteMatch, req: RequestView): boolean {
  if (m.path && !matchString(m.path, pathOnly(req.path))) return false
  if (m.method && !matchString(m.method, pseudo(req, ':method'))) return false
  if (m.scheme && !matchString(m.scheme, pseudo(req, ':scheme'))) return false
  if (m.authority && !matchString(m.authority, pseudo(req, ':authority'))) return false
  if (m.headers) for (const h of m.headers) if (!matchHeader(h, req)) return false
  if (m.queryParams)
    for (const q of m.queryParams) if (!matchString(q.match, queryValue(req.path, q.name))) return false
  return true
}

/**
 * Why a match does not hold: one sentence per failing condition (empty when it matches). Used by
 * `explain`; evaluates every condition rather than stopping at the first.
 */
export function describeMismatch(m: RouteMatch, req: RequestView): string[] {
  const out: string[] = []
  const check = (what: string, sm: StringMatch, value: string | undefined): void => {
    if (matchString(sm, value)) return
    const got = value === undefined ? 'absent' : JSON.stringify(value)
    out.push(`${what} ${got} does not match ${describeStringMatch(sm)}`)
  }
  if (m.path) check('path', m.path, pathOnly(req.path))
  if (m.method) check('method', m.method, pseudo(req, ':method'))
  if (m.scheme) check('scheme', m.scheme, pseudo(req, ':scheme'))
  if (m.authority) check('authority', m.authority, pseudo(req, ':authority'))
  for (const h of m.headers ?? []) {
    if (matchHeader(h, req)) continue
    const v = headerValue(req, h.name)
    const got = v === undefined ? 'absent' : JSON.stringify(v)
    out.push(
      h.invert
        ? `header ${h.name} ${got} matches ${describeStringMatch(h.match)} (withoutHeaders)`
        : `header ${h.name} ${got} does not match ${describeStringMatch(h.match)}`,
    )
  }
  for (const q of m.queryParams ?? [])
    check(`query parameter ${q.name}`, q.match, queryValue(req.path, q.name))
  return out
}

/** The index of the first route whose match holds, or -1 (404 NR). */
export function findRoute(routes: readonly { match: RouteMatch }[], req: RequestView): number {
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i]
    if (r && matchRoute(r.match, req)) return i
  }
  return -1
}

/** The host part of a Host/:authority, lower-case, without port (`[::1]:80` → `[::1]`). */
export function hostWithoutPort(authority: string): string {
  const a = authority.trim().toLowerCase()
  if (a.startsWith('[')) {
    const end = a.indexOf(']')
    return end < 0 ? a : a.slice(0, end + 1)
  }
  const colon = a.lastIndexOf(':')
  if (colon >= 0 && a.indexOf(':') === colon && /^\d*$/.test(a.slice(colon + 1))) return a.slice(0, colon)
  return a
}

/**
 * How well `domain` matches `host` (lower-case, no port): -1 no match; otherwise a score where any
 * exact beats any suffix wildcard beats any prefix wildcard beats `*`, and a longer wildcard beats a
 * shorter one (Envoy's virtual host selection). The `*` of a wildcard matches at least one character.
 */
export function domainScore(domain: string, host: string): number {
  const d = domain.toLowerCase()
  if (d === '*') return 0
  if (d.startsWith('*')) {
    const suffix = d.slice(1)
    return host.length > suffix.length && host.endsWith(suffix) ? 2_000_000 + suffix.length : -1
  }
  if (d.endsWith('*')) {
    const prefix = d.slice(0, -1)
    return host.length > prefix.length && host.startsWith(prefix) ? 1_000_000 + prefix.length : -1
  }
  return d === host ? 3_000_000 : -1
}

/**
 * The virtual host a request for `authority` lands on (port ignored, case-insensitive), or undefined
 * (404 NR). Ties between equally good domains go to the earlier virtual host.
 */
export function selectVirtualHost<V extends Pick<VirtualHost, 'domains'>>(
  vhosts: readonly V[],
  authority: string,
): V | undefined {
  const host = hostWithoutPort(authority)
  let best: V | undefined
  let bestScore = -1
  for (const vh of vhosts) {
    for (const d of vh.domains) {
      const s = domainScore(d, host)
      if (s > bestScore) {
        bestScore = s
        best = vh
      }
    }
  }
  return best
}
