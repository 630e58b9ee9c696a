/**
 * @module proxy/route/match — compiled request matchers (Envoy StringMatcher semantics, RE2 full match).
 *
 * Written for the hot path: every StringMatch is compiled once per config into a closure; regexes go
 * through re2js (linear time) anchored as `^(?:re)$`. Same semantics as `src/proxyconfig/match.ts`.
 */
import { RE2JS } from 're2js'
import type { HeaderMatch, RouteMatch, StringMatch } from '../../proxyconfig/types.ts'

/** A compiled string matcher: `undefined` means absent and fails every matcher. */
export type Matcher = (value: string | undefined) => boolean

/** What route matching sees of a request (already normalised). */
export interface MatchInput {
  /** Path without the query string. */
  path: string
  /** Raw query string without `?` ('' when none). */
  query: string
  method: string
  scheme: string
  authority: string
  headers: Readonly<Record<string, string | string[] | undefined>>
}

/** Compiles an RE2 pattern for a full match; throws with RE2's message when invalid. */
export function compileRegex(pattern: string): RE2JS {
  return RE2JS.compile(`^(?:${pattern})$`)
}

/** Compiles one StringMatch. Throws on an invalid regex (config validation reports it). */
export function compileString(m: StringMatch): Matcher {
  switch (m.kind) {
    case 'present':
      return (v) => v !== undefined
    case 'regex': {
      const re = compileRegex(m.value)
      return (v) => v !== undefined && re.matches(v)
    }
    case 'exact': {
      if (m.ignoreCase) {
        const want = m.value.toLowerCase()
        return (v) => v !== undefined && v.toLowerCase() === want
      }
      const want = m.value
      return (v) => v === want
    }
    case 'prefix': {
      if (m.ignoreCase) {
        const want = m.value.toLowerCase()
        return (v) => v?.toLowerCase().startsWith(want) === true
      }
      const want = m.value
      return (v) => v?.startsWith(want) === true
    }
    case 'suffix': {
      if (m.ignoreCase) {
        const want = m.value.toLowerCase()
        return (v) => v?.toLowerCase().endsWith(want) === true
      }
      const want = m.value
      return (v) => v?.endsWith(want) === true
    }
  }
}

/** A header as Envoy matches it: several values comma-joined (cookie crumbs joined with `; `). */
export function headerValue(headers: MatchInput['headers'], name: string): string | undefined {
  const v = headers[name]
  if (v === undefined || typeof v === 'string') return v
  return v.join(name === 'cookie' ? '; ' : ',')
}

/** First value of a query parameter, or undefined. */
export function queryValue(query: string, name: string): string | undefined {
  if (query === '') return undefined
  return new URLSearchParams(query).get(name) ?? undefined
}

function compileHeader(h: HeaderMatch): (req: MatchInput) => boolean {
  const m = compileString(h.match)
  const name = h.name
  if (!h.invert) return (req) => m(headerValue(req.headers, name))
  const present = h.match.kind === 'present'
  return (req) => {
    const v = headerValue(req.headers, name)
    if (v === undefined) return present ? true : !m('')
    return !m(v)
  }
}

/** Compiles a RouteMatch into one predicate (all conditions AND; empty matches everything). */
export function compileRouteMatch(rm: RouteMatch): (req: MatchInput) => boolean {
  const checks: ((req: MatchInput) => boolean)[] = []
  if (rm.path) {
    const m = compileString(rm.path)
    checks.push((req) => m(req.path))
  }
  if (rm.method) {
    const m = compileString(rm.method)
    checks.push((req) => m(req.method))
  }
  if (rm.scheme) {
    const m = compileString(rm.scheme)
    checks.push((req) => m(req.scheme))
  }
  if (rm.authority) {
    const m = compileString(rm.authority)
    checks.push((req) => m(req.authority))
  }
  for (const h of rm.headers ?? []) checks.push(compileHeader(h))
  for (const q of rm.queryParams ?? []) {
    const m = compileString(q.match)
    const name = q.name
    checks.push((req) => m(queryValue(req.query, name)))
  }
  if (checks.length === 0) return () => true
  if (checks.length === 1) return checks[0]!
  return (req) => {
    for (const c of checks) if (!c(req)) return false
    return true
  }
}
