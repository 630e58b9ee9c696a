/** @module api/semantic/common — shared pieces of Istio's semantic checks: field access, hosts, labels, regexes. */
import { isIP } from 'node:net'
import { RE2JS } from 're2js'
import { codes } from '../codes.ts'
import type { Severity } from '../diagnostics.ts'
import type { Segment } from '../k8s-path.ts'
import type { Finding } from '../validate.ts'

export type Obj = Record<string, unknown>

/** Collects findings; `error` and `warn` take a field path and a message. */
export interface Findings {
  readonly list: Finding[]
  error(path: Segment[], message: string): void
  warn(path: Segment[], message: string, code?: string): void
}

/** A fresh findings collector. */
export function createFindings(): Findings {
  const list: Finding[] = []
  const add = (path: Segment[], message: string, severity: Severity, code: string) => {
    list.push({ path, message, severity, code })
  }
  return {
    list,
    error: (path, message) => add(path, message, 'Error', codes.INVALID),
    warn: (path, message, code = codes.INVALID) => add(path, message, 'Warning', code),
  }
}

/** The value as a plain object, or undefined. */
export function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined
}

/** The value as a list ([] when not a list). */
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

/** The value as a string, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

/** The value as a finite number, or undefined. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

/** True when the key is present with a value other than null. */
export function has(o: Obj | undefined, key: string): boolean {
  return o !== undefined && o[key] !== undefined && o[key] !== null
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const HOST_LABEL = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/

/** A Kubernetes DNS-1123 label: lower-case alphanumerics and `-`, at most 63 characters. */
export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s)
}

/** Why a DNS name (no wildcard) is invalid, or undefined when it is valid. */
export function fqdnProblem(host: string): string | undefined {
  if (host.length === 0) return 'host name cannot be empty'
  if (host.length > 255) return `domain name "${host}" too long (max 255)`
  const labels = host.endsWith('.') ? host.slice(0, -1).split('.') : host.split('.')
  for (const l of labels) {
    if (l.length > 63) return `label "${l}" of "${host}" is longer than 63 characters`
    if (!HOST_LABEL.test(l)) return `"${host}" is not a valid host name (label "${l}")`
  }
  return undefined
}

/** Istio's wildcard domain rule: `*`, `*.suffix` or a DNS name; undefined when valid. */
export function wildcardDomainProblem(host: string): string | undefined {
  if (host === '*') return undefined
  if (host.startsWith('*')) {
    const rest = host.startsWith('*.') ? host.slice(2) : host.slice(1)
    return rest === '' ? undefined : fqdnProblem(rest)
  }
  return fqdnProblem(host)
}

/** True for an IPv4 or IPv6 address. */
export function isIpAddress(s: string): boolean {
  return isIP(s) !== 0
}

/** True for an IP address or an address/prefix CIDR. */
export function isIpOrCidr(s: string): boolean {
  const [addr, bits, extra] = s.split('/')
  if (extra !== undefined || addr === undefined) return false
  const v = isIP(addr)
  if (v === 0) return false
  if (bits === undefined) return true
  if (!/^\d+$/.test(bits)) return false
  return Number(bits) <= (v === 4 ? 32 : 128)
}

/** Checks a port number is in 1–65535. */
export function checkPort(f: Findings, path: Segment[], v: unknown): void {
  const n = num(v)
  if (n === undefined) return
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    f.error(path, `port number ${n} must be in the range 1..65535`)
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

/** Why a Kubernetes label key is invalid, or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/')
  const name = slash < 0 ? key : key.slice(slash + 1)
  if (slash >= 0) {
    const prefix = key.slice(0, slash)
    if (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) {
      return `invalid label key "${key}": the prefix must be a DNS-1123 subdomain`
    }
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return `invalid label key "${key}": a name of at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`
  }
  return undefined
}

/** Why a Kubernetes label value is invalid, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined
  if (value.length > 63 || !LABEL_NAME.test(value)) {
    return `invalid label value "${value}": at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`
  }
  return undefined
}

/** Checks a label map (selector or subset labels): keys and string values. */
export function checkLabels(f: Findings, path: Segment[], v: unknown): void {
  const labels = obj(v)
  if (!labels) return
  for (const [k, val] of Object.entries(labels)) {
    const kp = labelKeyProblem(k)
    if (kp) {
      f.error([...path, k], kp)
      continue
    }
    if (typeof val !== 'string') continue
    const vp = labelValueProblem(val)
    if (vp) f.error([...path, k], vp)
  }
}

/** Istio's regex rule: RE2 syntax (no look-around, no back-references), at most 1024 characters. */
export function regexProblem(re: string): string | undefined {
  if (re.length > 1024) return `regex is too large, max length allowed is 1024`
  try {
    RE2JS.compile(re)
    return undefined
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    return `${why}; Istio uses RE2 style regex-based match (no look-around, no back-references)`
  }
}

/** Checks a StringMatch (`exact` / `prefix` / `regex`): non-empty prefix and regex, valid RE2. */
export function checkStringMatch(f: Findings, path: Segment[], v: unknown, what: string): void {
  const m = obj(v)
  if (!m) return
  if (m.prefix === '') f.error([...path, 'prefix'], `"${what}": prefix string match should not be empty`)
  const re = str(m.regex)
  if (re === undefined) return
  if (re === '') {
    f.error([...path, 'regex'], `"${what}": regex string match should not be empty`)
    return
  }
  // `regex: "*"` is Istio's presence match, not a regex.
  if (re === '*') return
  const p = regexProblem(re)
  if (p) f.error([...path, 'regex'], `"${what}": invalid regex ${JSON.stringify(re)}: ${p}`)
}

/** Checks a Percent (`{value}`) is in 0–100. */
export function checkPercentage(f: Findings, path: Segment[], v: unknown): void {
  const value = num(obj(v)?.value)
  if (value === undefined) return
  if (value < 0 || value > 100) f.error([...path, 'value'], `percentage ${value} is not in range 0..100`)
}

/** Istio's `[namespace/]host` form used by Gateway servers and Sidecar egress. */
export function namespacedHostProblem(h: string): string | undefined {
  const parts = h.split('/')
  if (parts.length > 2) return `host "${h}" must be of the form namespace/dnsName`
  const [first, second] = parts
  if (second !== undefined && first !== undefined) {
    if (first !== '*' && first !== '.' && first !== '~' && !isDns1123Label(first)) {
      return `invalid namespace "${first}" in host "${h}": must be "*", ".", "~" or a DNS-1123 label`
    }
    return wildcardDomainProblem(second)
  }
  return wildcardDomainProblem(h)
}

/** Port protocols Istio accepts (case-insensitive). */
export const PROTOCOLS = new Set([
  'HTTP',
  'HTTPS',
  'GRPC',
  'GRPC-WEB',
  'HTTP2',
  'MONGO',
  'TCP',
  'TLS',
  'REDIS',
  'MYSQL',
  'UDP',
  'HBONE',
])

/** Istio's `host.Name.Matches`: true when either host name covers the other (wildcards included). */
export function hostsOverlap(a: string, b: string): boolean {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  if (x === y || x === '*' || y === '*') return true
  const xw = x.startsWith('*')
  const yw = y.startsWith('*')
  if (xw && yw) return x.length > y.length ? x.endsWith(y.slice(1)) : y.endsWith(x.slice(1))
  if (xw) return y.endsWith(x.slice(1))
  if (yw) return x.endsWith(y.slice(1))
  return false
}

/** Istio's `host.Name.SubsetOf`: every name `sub` covers is covered by `sup`. */
export function hostSubsetOf(sub: string, sup: string): boolean {
  const x = sub.toLowerCase()
  const y = sup.toLowerCase()
  if (y === '*' || x === y) return true
  if (!y.startsWith('*')) return false
  return x.endsWith(y.slice(1))
}

/** Checks `exportTo`: `.`, `*`, `~` or namespace names, no duplicates, `*` alone. */
export function checkExportTo(f: Findings, path: Segment[], v: unknown, allowNone: boolean): void {
  const entries = list(v).filter((e): e is string => typeof e === 'string')
  const seen = new Set<string>()
  entries.forEach((e, i) => {
    if (seen.has(e)) f.error([...path, i], `duplicate entries in exportTo for entry ${e}`)
    seen.add(e)
    if (e === '.' || e === '*' || (e === '~' && allowNone)) return
    if (!isDns1123Label(e))
      f.error([...path, i], `invalid exportTo value "${e}": must be ".", "*" or a namespace name`)
  })
  if (seen.has('*') && entries.length > 1) {
    f.error(path, 'cannot have both public (*) and non-public exportTo values for a resource')
  }
  if (seen.has('~') && entries.length > 1)
    f.error(path, 'cannot export service entry to no one (~) and someone')
}
