/**
 * @module proxy/security/authz — evaluates compiled AuthorizationPolicies for one request or
 * connection, as Envoy's RBAC filters do under Istio: any matching DENY rule denies; then, when ALLOW
 * policies exist, one of their rules must match; AUDIT rules only mark. On TCP, an ALLOW rule that uses
 * HTTP-only fields never matches, and a DENY/AUDIT rule ignores those fields (matches more).
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net'
import type {
  AuthzCondition,
  AuthzField,
  AuthzMatch,
  AuthzOperation,
  AuthzPolicy,
  AuthzRule,
  AuthzSource,
  CompiledAuthz,
} from '../../proxyconfig/security.ts'
import { normalizePath, type PathNormalization } from './path.ts'

/** What a decision is made on. `path` is normalised here (Envoy normalises before RBAC). */
export interface AuthzAttributes {
  /** `http` (default) or `tcp`: on TCP there is no host, method, path or header. */
  protocol?: 'http' | 'tcp'
  /** Peer SPIFFE ID (`spiffe://…`) or principal (`cluster.local/ns/…/sa/…`) from mTLS; absent for plaintext. */
  principal?: string | undefined
  /** Source namespace; derived from the principal when absent. */
  namespace?: string | undefined
  /** JWT principal `<iss>/<sub>` (not produced by Weir yet). */
  requestPrincipal?: string | undefined
  /** Direct peer address. */
  sourceIp: string
  /** Original client address (X-Forwarded-For); defaults to `sourceIp`. */
  remoteIp?: string | undefined
  destinationIp?: string | undefined
  /** Destination port (the workload's port). */
  port: number
  /** Host / :authority as sent. */
  host?: string | undefined
  method?: string | undefined
  path?: string | undefined
  /** Lower-case header names; several values are matched as one comma-joined string. */
  headers?: Record<string, string | string[] | undefined> | undefined
  /** TLS SNI of the connection. */
  sni?: string | undefined
  pathNormalization?: PathNormalization | undefined
}

/** The outcome. `policy` is Envoy's policy id `ns[<ns>]-policy[<name>]`, `rule` the index in `rules`. */
export interface AuthzDecision {
  allowed: boolean
  policy?: string
  rule?: number
  /** The first AUDIT rule that matched (logging only). */
  audit?: { policy: string; rule: number }
}

/** Decides whether a request (or TCP connection) may pass. */
export function authorize(compiled: CompiledAuthz, attrs: AuthzAttributes): AuthzDecision {
  const a = prepare(attrs)
  const denied = firstMatch(compiled.deny, a, 'DENY')
  const audited = firstMatch(compiled.audit, a, 'AUDIT')
  const audit = audited ? { audit: audited } : {}
  if (denied) return { allowed: false, ...denied, ...audit }
  if (compiled.allow.length === 0) return { allowed: true, ...audit }
  const allowed = firstMatch(compiled.allow, a, 'ALLOW')
  return allowed ? { allowed: true, ...allowed, ...audit } : { allowed: false, ...audit }
}

/** Envoy's `%RESPONSE_CODE_DETAILS%` for a denial: `rbac_access_denied_matched_policy[…]`. */
export function rbacDetail(d: AuthzDecision): string {
  return d.policy !== undefined
    ? `rbac_access_denied_matched_policy[${d.policy}-rule[${d.rule ?? 0}]]`
    : 'rbac_access_denied_matched_policy[none]'
}

/** What an HTTP client receives when denied: 403 `RBAC: access denied`. */
export function rbacDeniedResponse(d: AuthzDecision): {
  status: 403
  headers: Record<string, string>
  body: string
  detail: string
} {
  const body = 'RBAC: access denied'
  return {
    status: 403,
    headers: { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) },
    body,
    detail: rbacDetail(d),
  }
}

interface Prepared {
  tcp: boolean
  principal: string | undefined
  namespace: string | undefined
  requestPrincipal: string | undefined
  sourceIp: string
  remoteIp: string
  destinationIp: string | undefined
  port: string
  host: string | undefined
  method: string | undefined
  path: string | undefined
  headers: Record<string, string | string[] | undefined>
  sni: string | undefined
}

function prepare(a: AuthzAttributes): Prepared {
  const principal = a.principal?.startsWith('spiffe://') ? a.principal.slice(9) : a.principal
  const namespace = a.namespace ?? (principal ? /\/ns\/([^/]+)\//.exec(principal)?.[1] : undefined)
  const tcp = a.protocol === 'tcp'
  return {
    tcp,
    principal,
    namespace,
    requestPrincipal: a.requestPrincipal,
    sourceIp: unmap(a.sourceIp),
    remoteIp: unmap(a.remoteIp ?? a.sourceIp),
    destinationIp: a.destinationIp ? unmap(a.destinationIp) : undefined,
    port: String(a.port),
    host: tcp ? undefined : a.host,
    method: tcp ? undefined : a.method,
    path: tcp || a.path === undefined ? undefined : normalizePath(a.path, a.pathNormalization),
    headers: tcp ? {} : (a.headers ?? {}),
    sni: a.sni,
  }
}

function unmap(ip: string): string {
  return ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip
}

type Action = 'ALLOW' | 'DENY' | 'AUDIT'

function firstMatch(
  policies: AuthzPolicy[],
  a: Prepared,
  action: Action,
): { policy: string; rule: number } | undefined {
  for (const p of policies) {
    for (let i = 0; i < p.rules.length; i++) {
      if (ruleMatches(p.rules[i]!, a, action))
        return { policy: `ns[${p.namespace}]-policy[${p.name}]`, rule: i }
    }
  }
  return undefined
}

function ruleMatches(r: AuthzRule, a: Prepared, action: Action): boolean {
  if (a.tcp && action === 'ALLOW' && usesHttpOnly(r)) return false
  if (r.from.length > 0 && !r.from.some((s) => sourceMatches(s, a))) return false
  if (r.to.length > 0 && !r.to.some((o) => operationMatches(o, a))) return false
  return r.when.every((c) => (a.tcp && c.key.startsWith('request.') ? true : conditionMatches(c, a)))
}

function usesHttpOnly(r: AuthzRule): boolean {
  return (
    r.from.some((s) => s.requestPrincipals) ||
    r.to.some((o) => o.hosts || o.methods || o.paths) ||
    r.when.some((c) => c.key.startsWith('request.'))
  )
}

function sourceMatches(s: AuthzSource, a: Prepared): boolean {
  return (
    fieldMatches(s.principals, a.principal) &&
    (a.tcp || fieldMatches(s.requestPrincipals, a.requestPrincipal)) &&
    fieldMatches(s.namespaces, a.namespace) &&
    cidrField(s.ipBlocks, a.sourceIp) &&
    cidrField(s.remoteIpBlocks, a.remoteIp)
  )
}

function operationMatches(o: AuthzOperation, a: Prepared): boolean {
  // On TCP the HTTP-only fields are skipped here; ALLOW rules using them were already refused.
  return (
    fieldMatches(o.ports, a.port) &&
    (a.tcp || fieldMatches(o.hosts, a.host)) &&
    (a.tcp || fieldMatches(o.methods, a.method)) &&
    (a.tcp || fieldMatches(o.paths, a.path))
  )
}

function fieldMatches(f: AuthzField | undefined, value: string | undefined): boolean {
  if (!f) return true
  if (f.values && (value === undefined || !f.values.some((m) => matches(m, value)))) return false
  if (f.notValues && value !== undefined && f.notValues.some((m) => matches(m, value))) return false
  return true
}

const regexCache = new Map<string, RegExp>()

/** One matcher against one value. */
export function matches(m: AuthzMatch, value: string): boolean {
  switch (m.kind) {
    case 'presence':
      return value !== ''
    case 'template': {
      let re = regexCache.get(m.regex)
      if (!re) {
        re = new RegExp(m.regex)
        if (regexCache.size < 10_000) regexCache.set(m.regex, re)
      }
      return re.test(value)
    }
    default: {
      const v = m.ignoreCase ? value.toLowerCase() : value
      const w = m.ignoreCase ? m.value.toLowerCase() : m.value
      if (m.kind === 'exact') return v === w
      if (m.kind === 'prefix') return v.startsWith(w)
      return v.endsWith(w)
    }
  }
}

function conditionMatches(c: AuthzCondition, a: Prepared): boolean {
  const header = /^request\.headers\[(.+)\]$/.exec(c.key)?.[1]
  if (header !== undefined) {
    const raw = a.headers[header.toLowerCase()]
    const v = Array.isArray(raw) ? raw.join(',') : raw
    return stringCondition(c, v)
  }
  switch (c.key) {
    case 'source.ip':
      return cidrField(c, a.sourceIp)
    case 'remote.ip':
      return cidrField(c, a.remoteIp)
    case 'destination.ip':
      return a.destinationIp !== undefined ? cidrField(c, a.destinationIp) : !c.values
    case 'source.namespace':
      return stringCondition(c, a.namespace)
    case 'source.principal':
      return stringCondition(c, a.principal)
    case 'request.auth.principal':
      return stringCondition(c, a.requestPrincipal)
    case 'destination.port':
      return stringCondition(c, a.port, true)
    case 'connection.sni':
      return stringCondition(c, a.sni)
    default:
      return stringCondition(c, undefined)
  }
}

function stringCondition(c: AuthzCondition, value: string | undefined, exactOnly = false): boolean {
  const m = (s: string): AuthzMatch => (exactOnly ? { kind: 'exact', value: s } : toMatch(s))
  return fieldMatches(
    {
      ...(c.values ? { values: c.values.map(m) } : {}),
      ...(c.notValues ? { notValues: c.notValues.map(m) } : {}),
    },
    value,
  )
}

function toMatch(v: string): AuthzMatch {
  if (v === '*') return { kind: 'presence' }
  if (v.startsWith('*')) return { kind: 'suffix', value: v.slice(1) }
  if (v.endsWith('*')) return { kind: 'prefix', value: v.slice(0, -1) }
  return { kind: 'exact', value: v }
}

const blockCache = new WeakMap<string[], BlockList>()

function cidrField(f: { values?: string[]; notValues?: string[] } | undefined, ip: string): boolean {
  if (!f) return true
  if (f.values && !inBlocks(f.values, ip)) return false
  if (f.notValues && inBlocks(f.notValues, ip)) return false
  return true
}

function inBlocks(cidrs: string[], ip: string): boolean {
  let bl = blockCache.get(cidrs)
  if (!bl) {
    bl = new BlockList()
    for (const c of cidrs) addCidr(bl, c)
    blockCache.set(cidrs, bl)
  }
  const family = isIPv6(ip) ? 'ipv6' : isIPv4(ip) ? 'ipv4' : undefined
  return family !== undefined && bl.check(ip, family)
}

function addCidr(bl: BlockList, cidr: string): void {
  const [addr, len] = cidr.split('/')
  if (!addr) return
  const family = isIPv6(addr) ? 'ipv6' : isIPv4(addr) ? 'ipv4' : undefined
  if (!family) return
  const bits = len === undefined ? (family === 'ipv4' ? 32 : 128) : Number(len)
  if (!Number.isInteger(bits) || bits < 0 || bits > (family === 'ipv4' ? 32 : 128)) return
  bl.addSubnet(addr, bits, family)
}
