/**
 * @module analyze/analyzers/unreachable-rules — rules and matches of a VirtualService that can never be used,
 * as Istio's validation finds them: a rule after a catch-all rule or whose matches all repeat earlier ones
 * (IST0130), and a match that repeats or is covered by an earlier URI-prefix match (IST0131).
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import { goQuote } from '../gofmt.ts'
import type { Report } from '../types.ts'
import { arr, obj, str } from '../values.ts'

type Section = 'http' | 'tcp' | 'tls'

/** Reports every unreachable rule and ineffective match of one VirtualService. */
export function checkUnreachableRules(vs: Resource, report: Report): void {
  for (const section of ['http', 'tcp', 'tls'] as const) checkSection(vs, section, report)
}

function checkSection(vs: Resource, section: Section, report: Report): void {
  const routes = arr(specOf(vs)[section])
  const seen = new Map<string, number>()
  let catchAll = -1
  const prefixed: PrefixMatch[] = []
  routes.forEach((raw, rulen) => {
    if (raw === null || raw === undefined) return
    const route = obj(raw)
    const at = ['spec', section, rulen]
    const name = ruleName(section, route, rulen)
    const matches = arr(route.match)
    if (matches.length === 0) {
      if (catchAll >= 0) report(vs, 'IST0130', [name, 'only the last rule can have no matches'], at)
      catchAll = rulen
      return
    }
    let duplicates = 0
    matches.forEach((m, matchn) => {
      if (catchAll >= 0) {
        report(vs, 'IST0130', [name, 'route without matches defined before'], at)
        return
      }
      const key = canonical(section === 'http' ? withoutName(m) : m)
      const dup = seen.get(key)
      if (dup !== undefined) {
        report(
          vs,
          'IST0131',
          [name, matchName(section, m, matchn), ruleName(section, obj(routes[dup]), dup)],
          [...at, 'match', matchn],
        )
        duplicates++
        return
      }
      seen.set(key, rulen)
      if (section === 'http') {
        const p = prefixMatchOf(obj(m), name, matchName(section, m, matchn), [...at, 'match', matchn])
        if (p) prefixed.push(p)
      }
    })
    if (duplicates === matches.length) report(vs, 'IST0130', [name, 'all matches used by prior rules'], at)
  })
  for (let i = 0; i < prefixed.length; i++) {
    const a = prefixed[i]
    if (!a) continue
    for (let j = i + 1; j < prefixed.length; j++) {
      const b = prefixed[j]
      if (!b || b.prefix === a.prefix || !covers(a, b)) continue
      report(
        vs,
        'IST0131',
        [b.rule, `${b.match} of prefix ${b.prefix}`, `${a.match} of prefix ${a.prefix} on ${a.rule}`],
        b.path,
      )
    }
  }
}

function ruleName(section: Section, route: Record<string, unknown>, n: number): string {
  const name = str(route.name)
  return section === 'http' && name !== '' ? goQuote(name) : `#${n}`
}

function matchName(section: Section, m: unknown, n: number): string {
  const name = str(obj(m).name)
  return section === 'http' && name !== '' ? goQuote(name) : `#${n}`
}

function withoutName(m: unknown): unknown {
  const { name: _name, ...rest } = obj(m)
  return rest
}

/** A JSON form that ignores key order and zero values, so equal matches compare equal as in Istio. */
function canonical(v: unknown): string {
  return JSON.stringify(strip(v)) ?? ''
}

function strip(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(strip).filter((x) => x !== undefined)
    return items.length === 0 ? undefined : items
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) {
      const s = strip((v as Record<string, unknown>)[k])
      if (s !== undefined) out[k] = s
    }
    return Object.keys(out).length === 0 ? {} : out
  }
  if (v === null || v === undefined || v === '' || v === false || v === 0) return undefined
  return v
}

interface PrefixMatch {
  rule: string
  match: string
  prefix: string
  port: number
  method: string
  authority: string
  headers: Map<string, string>
  query: Map<string, string>
  withoutHeaders: Map<string, string>
  path: (string | number)[]
}

function exactOrPrefix(v: unknown): string {
  const o = obj(v)
  if (str(o.exact) !== '') return `exact:${str(o.exact)}`
  if (str(o.prefix) !== '') return `prefix:${str(o.prefix)}`
  return ''
}

function mapOf(v: unknown): Map<string, string> {
  return new Map(Object.entries(obj(v)).map(([k, x]) => [k, exactOrPrefix(x)]))
}

function prefixMatchOf(
  m: Record<string, unknown>,
  rule: string,
  match: string,
  path: (string | number)[],
): PrefixMatch | undefined {
  const prefix = str(obj(m.uri).prefix)
  if (prefix === '') return undefined
  return {
    rule,
    match,
    prefix,
    port: typeof m.port === 'number' ? m.port : 0,
    method: exactOrPrefix(m.method) || 'exact:GET',
    authority: exactOrPrefix(m.authority),
    headers: mapOf(m.headers),
    query: mapOf(m.queryParams),
    withoutHeaders: mapOf(m.withoutHeaders),
    path,
  }
}

function sameOrNarrower(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false
  for (const [k, v] of a) {
    const w = b.get(k)
    if (w === undefined || (v !== w && !v.startsWith(w))) return false
  }
  return true
}

/** Istio's `coveredValidation`: an earlier prefix match `a` takes every request the later match `b` would. */
function covers(a: PrefixMatch, b: PrefixMatch): boolean {
  if (!b.prefix.startsWith(a.prefix) || a.port !== b.port) return false
  if (a.method !== b.method && !a.method.startsWith(b.method)) return false
  if (a.authority !== b.authority && !a.authority.startsWith(b.authority)) return false
  return (
    sameOrNarrower(a.headers, b.headers) &&
    sameOrNarrower(a.query, b.query) &&
    sameOrNarrower(a.withoutHeaders, b.withoutHeaders)
  )
}
