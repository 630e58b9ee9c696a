/**
 * @module compile/security/authorization — AuthorizationPolicy → `CompiledAuthz` for one workload.
 * Scope: policies in the root namespace apply mesh-wide (a selector there picks workloads in every
 * namespace); elsewhere to the policy's namespace, narrowed by `selector.matchLabels`. Policies with
 * `targetRef(s)` apply only to the Gateway they name. `istio.io/dry-run: "true"` policies are not enforced.
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
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
import {
  DEFAULT_ROOT_NAMESPACE,
  labelsMatch,
  namespaceOf,
  obj,
  type SecurityCompileOptions,
  selectorOf,
  strings,
  type WorkloadRef,
} from './common.ts'

/** The workload, plus the Gateway name when the proxy is a gateway (for `targetRefs`). */
export interface AuthzWorkload extends WorkloadRef {
  gatewayName?: string
}

/** Options: the mesh trust domain and its aliases (`cluster.local` in a principal stands for them). */
export interface AuthzCompileOptions extends SecurityCompileOptions {
  trustDomain?: string
  trustDomainAliases?: string[]
}

/** Compiles every AuthorizationPolicy that applies to `workload`, ordered by namespace then name. */
export function compileAuthorization(
  policies: readonly Resource[],
  workload: AuthzWorkload,
  opts: AuthzCompileOptions = {},
): CompiledAuthz {
  const root = opts.rootNamespace ?? DEFAULT_ROOT_NAMESPACE
  const out: CompiledAuthz = { deny: [], allow: [], audit: [] }
  const selected = policies
    .filter((p) => p.kind === 'AuthorizationPolicy' && p.apiVersion.startsWith('security.istio.io/'))
    .filter((p) => applies(p, workload, root, opts))
    .sort((a, b) => key(a, opts).localeCompare(key(b, opts)))
  for (const p of selected) {
    const spec = specOf(p)
    const namespace = namespaceOf(p, opts)
    const action = spec.action ?? 'ALLOW'
    if (action === 'CUSTOM') {
      const provider = obj(spec.provider)?.name
      const c = { name: p.metadata.name, namespace, ...(typeof provider === 'string' ? { provider } : {}) }
      out.custom = [...(out.custom ?? []), c]
      continue
    }
    const compiled: AuthzPolicy = {
      name: p.metadata.name,
      namespace,
      rules: compileRules(spec.rules, namespace, trustDomains(opts)),
    }
    if (action === 'ALLOW') out.allow.push(compiled)
    else if (action === 'DENY') out.deny.push(compiled)
    else if (action === 'AUDIT') out.audit.push(compiled)
  }
  return out
}

function key(p: Resource, opts: SecurityCompileOptions): string {
  return `${namespaceOf(p, opts)}/${p.metadata.name}`
}

function applies(p: Resource, w: AuthzWorkload, root: string, opts: SecurityCompileOptions): boolean {
  if (p.metadata.annotations?.['istio.io/dry-run'] === 'true') return false
  const spec = specOf(p)
  const ns = namespaceOf(p, opts)
  const refs = [
    ...(obj(spec.targetRef) ? [spec.targetRef] : []),
    ...(Array.isArray(spec.targetRefs) ? spec.targetRefs : []),
  ]
  if (refs.length > 0) {
    if (ns !== w.namespace || !w.gatewayName) return false
    return refs.some((r) => obj(r)?.kind === 'Gateway' && obj(r)?.name === w.gatewayName)
  }
  if (ns !== root && ns !== w.namespace) return false
  const selector = selectorOf(spec)
  return selector === undefined || labelsMatch(selector, w.labels)
}

/** `rules` absent ⇒ [] (never matches); `[{}]` ⇒ one empty rule (always matches). */
function compileRules(v: unknown, policyNamespace: string, domains: string[]): AuthzRule[] {
  if (!Array.isArray(v)) return []
  return v.map((r) => {
    const o = obj(r) ?? {}
    return {
      from: list(o.from).map((f) => compileSource(obj(obj(f)?.source) ?? {}, policyNamespace, domains)),
      to: list(o.to).map((t) => compileOperation(obj(obj(t)?.operation) ?? {})),
      when: list(o.when).flatMap((c) => compileCondition(obj(c) ?? {})),
    }
  })
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : []
}

/** A policy string → matcher: `*` presence, `abc*` prefix, `*abc` suffix, else exact. */
export function compileMatch(v: string, ignoreCase = false): AuthzMatch {
  const ic = ignoreCase ? { ignoreCase: true } : {}
  if (v === '*') return { kind: 'presence' }
  if (v.startsWith('*')) return { kind: 'suffix', value: v.slice(1), ...ic }
  if (v.endsWith('*')) return { kind: 'prefix', value: v.slice(0, -1), ...ic }
  return { kind: 'exact', value: v, ...ic }
}

/** Paths also take URI templates: `{*}` one segment, `{**}` any remainder. */
function compilePathMatch(v: string): AuthzMatch {
  if (!v.includes('{*')) return compileMatch(v)
  const parts = v.split(/(\{\*\*\}|\{\*\})/)
  const re = parts
    .map((p) => (p === '{**}' ? '.*' : p === '{*}' ? '[^/]+' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('')
  return { kind: 'template', regex: `^${re}$` }
}

function field(values: unknown, notValues: unknown, f: (v: string) => AuthzMatch): AuthzField | undefined {
  const vs = strings(values)
  const nvs = strings(notValues)
  if (!vs?.length && !nvs?.length) return undefined
  const out: AuthzField = {}
  if (vs?.length) out.values = vs.map(f)
  if (nvs?.length) out.notValues = nvs.map(f)
  return out
}

function cidrs(values: unknown, notValues: unknown): { values?: string[]; notValues?: string[] } | undefined {
  const vs = strings(values)
  const nvs = strings(notValues)
  if (!vs?.length && !nvs?.length) return undefined
  return { ...(vs?.length ? { values: vs } : {}), ...(nvs?.length ? { notValues: nvs } : {}) }
}

/** `ns/sa` (or `sa` in the policy's namespace) → a principal suffix. */
function serviceAccountMatch(v: string, policyNamespace: string): AuthzMatch {
  const [ns, sa] = v.includes('/') ? v.split('/', 2) : [policyNamespace, v]
  return { kind: 'suffix', value: `/ns/${ns}/sa/${sa}` }
}

/** The trust domain and its aliases, when the mesh's is not just `cluster.local`. */
function trustDomains(opts: AuthzCompileOptions): string[] {
  if (!opts.trustDomain) return []
  return [...new Set([opts.trustDomain, ...(opts.trustDomainAliases ?? [])])]
}

/**
 * Istio's trust-domain aliasing: a principal written with `cluster.local` (or any alias) matches the
 * same workload in the mesh's trust domain and every alias.
 */
function expandPrincipals(values: unknown, domains: string[]): unknown {
  const vs = strings(values)
  if (!vs || domains.length === 0) return values
  const aliases = new Set(['cluster.local', ...domains])
  return [
    ...new Set(
      vs.flatMap((v) => {
        const slash = v.indexOf('/')
        if (v.startsWith('*') || slash < 0 || !aliases.has(v.slice(0, slash))) return [v]
        return domains.map((d) => `${d}${v.slice(slash)}`)
      }),
    ),
  ]
}

function compileSource(s: Record<string, unknown>, policyNamespace: string, domains: string[]): AuthzSource {
  const out: AuthzSource = {}
  const m = (v: string): AuthzMatch => compileMatch(v)
  const principals =
    field(expandPrincipals(s.principals, domains), expandPrincipals(s.notPrincipals, domains), m) ??
    field(s.serviceAccounts, s.notServiceAccounts, (v) => serviceAccountMatch(v, policyNamespace))
  if (principals) out.principals = principals
  const rp = field(s.requestPrincipals, s.notRequestPrincipals, m)
  if (rp) out.requestPrincipals = rp
  const ns = field(s.namespaces, s.notNamespaces, m)
  if (ns) out.namespaces = ns
  const ip = cidrs(s.ipBlocks, s.notIpBlocks)
  if (ip) out.ipBlocks = ip
  const rip = cidrs(s.remoteIpBlocks, s.notRemoteIpBlocks)
  if (rip) out.remoteIpBlocks = rip
  return out
}

function compileOperation(o: Record<string, unknown>): AuthzOperation {
  const out: AuthzOperation = {}
  const hosts = field(o.hosts, o.notHosts, (v) => compileMatch(v, true))
  if (hosts) out.hosts = hosts
  const ports = field(o.ports, o.notPorts, (v) => ({ kind: 'exact', value: v }))
  if (ports) out.ports = ports
  const methods = field(o.methods, o.notMethods, (v) => compileMatch(v))
  if (methods) out.methods = methods
  const paths = field(o.paths, o.notPaths, compilePathMatch)
  if (paths) out.paths = paths
  return out
}

function compileCondition(c: Record<string, unknown>): AuthzCondition[] {
  if (typeof c.key !== 'string') return []
  const out: AuthzCondition = { key: c.key }
  const vs = strings(c.values)
  const nvs = strings(c.notValues)
  if (vs?.length) out.values = vs
  if (nvs?.length) out.notValues = nvs
  return [out]
}
