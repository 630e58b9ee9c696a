/** @module compile/context — what one compilation knows: the snapshot, the node, visibility, diagnostics. */
import type { Diagnostic } from '../api/diagnostics.ts'
import { posOf } from '../api/resource.ts'
import { hostCovers, resolveHost } from '../model/host.ts'
import { strList } from '../model/read.ts'
import type { ConfigEntry, MeshSnapshot, Service } from '../model/types.ts'
import type { ProxyNode } from './node.ts'
import { egressAllows, sidecarScope } from './sidecar-scope.ts'

/** Per-compilation state (built fresh for every call; compileProxy stays pure). */
export interface CompileContext {
  snapshot: MeshSnapshot
  node: ProxyNode
  diagnostics: Diagnostic[]
  /** Services this proxy may call. */
  services: readonly Service[]
  /** Mesh `outboundTrafficPolicy`, or the Sidecar resource's. */
  outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY'
  /** The same services, for membership tests. */
  visible: ReadonlySet<Service>
  domain: string
  /** Memoized lookups of this compilation (the snapshot is immutable, so they never go stale). */
  memo: Map<string, unknown>
}

/** Computes once per compilation and key. */
export function memo<T>(ctx: CompileContext, key: string, compute: () => T): T {
  if (ctx.memo.has(key)) return ctx.memo.get(key) as T
  const v = compute()
  ctx.memo.set(key, v)
  return v
}

/** Creates the context for one proxy. */
export function createContext(snapshot: MeshSnapshot, node: ProxyNode): CompileContext {
  const scope = sidecarScope(snapshot, node)
  const services = onePerHost(
    snapshot.services.filter(
      (s) => exportedTo(s.exportTo, s.namespace, node.namespace) && egressAllows(scope, s),
    ),
    node.namespace,
  )
  return {
    outboundTrafficPolicy: scope.outboundTrafficPolicy ?? snapshot.mesh.outboundTrafficPolicy,
    snapshot,
    node,
    diagnostics: [],
    services,
    visible: new Set(services),
    domain: 'cluster.local',
    memo: new Map(),
  }
}

/**
 * One service per host (a Kubernetes Service and a ServiceEntry, or two ServiceEntries, may share one):
 * the Kubernetes Service first, then the one in the proxy's namespace, then the first by namespace
 * (Istio 1.30 `PILOT_SIDECAR_PICK_BEST_SERVICE_NAMESPACE`).
 */
function onePerHost(list: Service[], clientNs: string): Service[] {
  const rank = (s: Service): number =>
    (s.origin === 'kubernetes' ? 0 : 2) + (s.namespace === clientNs ? 0 : 1)
  const best = new Map<string, Service>()
  for (const s of list) {
    const cur = best.get(s.host)
    if (!cur || rank(s) < rank(cur)) best.set(s.host, s)
  }
  return list.filter((s) => best.get(s.host) === s)
}

/** `exportTo` semantics: `*` all, `.` own namespace, `~` none, or namespace names. */
export function exportedTo(exportTo: readonly string[], ownNs: string, clientNs: string): boolean {
  if (exportTo.length === 0) return true
  return exportTo.some((e) => e === '*' || (e === '.' && ownNs === clientNs) || e === clientNs)
}

/** True when the config object is visible from the node's namespace. */
export function configVisible(entry: ConfigEntry, clientNs: string): boolean {
  return exportedTo(strList(entry.spec.exportTo), entry.namespace, clientNs)
}

/** The services whose host a (resolved) host pattern covers, visible to this proxy. */
export function servicesFor(ctx: CompileContext, host: string): Service[] {
  const exact = ctx.snapshot.servicesByHost.get(host)
  if (exact) return exact.filter((s) => ctx.visible.has(s))
  if (!host.startsWith('*')) {
    // A wildcard ServiceEntry host may stand for this name.
    return ctx.services.filter((s) => s.host.startsWith('*') && hostCovers(s.host, host))
  }
  return ctx.services.filter((s) => hostCovers(host, s.host))
}

/** The service behind a destination host: exact host first, else the most specific wildcard entry. */
export function serviceForHost(ctx: CompileContext, host: string): Service | undefined {
  const list = servicesFor(ctx, host)
  const sameNs = list.find((s) => s.namespace === ctx.node.namespace)
  return sameNs ?? [...list].sort((a, b) => b.host.length - a.host.length)[0]
}

/** Resolves a host written in a rule of namespace `ns`. */
export function resolve(ctx: CompileContext, host: string, ns: string): string {
  return resolveHost(host, ns, ctx.domain)
}

/** Records a diagnostic about a config object. */
export function warn(
  ctx: CompileContext,
  entry: ConfigEntry,
  code: string,
  message: string,
  path: (string | number)[] = [],
  severity: Diagnostic['severity'] = 'Warning',
): void {
  const pos = posOf(entry.resource, ['spec', ...path])
  ctx.diagnostics.push({
    code,
    severity,
    message,
    resource: { kind: entry.resource.kind, namespace: entry.namespace, name: entry.name },
    path: ['spec', ...path]
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
      .join('')
      .slice(1),
    ...(pos ? { source: pos } : {}),
  })
}
