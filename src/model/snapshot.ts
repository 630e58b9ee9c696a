/** @module model/snapshot — buildSnapshot(resources) → one frozen MeshSnapshot with indexes built once. */
import type { Diagnostic } from '../api/diagnostics.ts'
import { lookupKind } from '../api/kinds.ts'
import { type Resource, specOf } from '../api/resource.ts'
import { readMeshConfig } from './mesh-config.ts'
import { arr, obj, str, strMap } from './read.ts'
import { serviceFromKube, servicesFromEntry } from './services.ts'
import type { ConfigEntry, MeshSnapshot, Service, Workload } from './types.ts'
import { assignAddresses, workloadFromEntry, workloadFromPod, workloadsFromDeployment } from './workloads.ts'

/** Options for {@link buildSnapshot}. */
export interface SnapshotOptions {
  /** Namespace of namespaced resources that name none (`kubectl -n`); default `default`. */
  namespace?: string
  /** Extra namespace labels (as if `kubectl label namespace … istio-injection=enabled`). */
  namespaceLabels?: Record<string, Record<string, string>>
  /**
   * Live mode: workloads come from Pods only. Offline (the default), Deployment replicas stand for
   * pods when there are no Pods at all.
   */
  live?: boolean
}

/** What building found: the snapshot and any problems met (never throws). */
export interface SnapshotResult {
  snapshot: MeshSnapshot
  diagnostics: Diagnostic[]
}

interface Placed {
  r: Resource
  ns: string
  index: number
  /** The resource as written, when `r` is a translation of it (legacy Policy). */
  raw?: Resource
}

/**
 * Builds the frozen snapshot. A later object with the same kind, namespace and name replaces an
 * earlier one (as `kubectl apply` would). Pods give workloads; when there are no Pods at all,
 * Deployment replicas stand for them (offline use).
 */
export function buildSnapshotWithDiagnostics(
  resources: readonly Resource[],
  opts: SnapshotOptions = {},
): SnapshotResult {
  const diagnostics: Diagnostic[] = []
  const defaultNs = opts.namespace ?? 'default'
  const latest = new Map<string, Placed>()
  resources.forEach((r, index) => {
    const info = lookupKind(r.apiVersion, r.kind)
    const ns = info && !info.namespaced ? '' : (r.metadata.namespace ?? defaultNs)
    const group = info?.group ?? r.apiVersion
    latest.set(`${group}/${r.kind}/${ns}/${r.metadata.name}`, { r, ns, index })
  })
  const placed = [...latest.values()].sort((a, b) => a.index - b.index)
  const byKind = (kind: string, group?: string): Placed[] =>
    placed.filter((p) => p.r.kind === kind && (group === undefined || p.r.apiVersion.startsWith(group)))

  const mesh = readMeshConfig(
    placed.map((p) => p.r),
    diagnostics,
  )
  const namespaces = new Map<string, Record<string, string>>()
  for (const p of byKind('Namespace')) namespaces.set(p.r.metadata.name, strMap(p.r.metadata.labels))
  for (const [ns, labels] of Object.entries(opts.namespaceLabels ?? {}))
    namespaces.set(ns, { ...(namespaces.get(ns) ?? {}), ...labels })

  const services: Service[] = [
    ...byKind('Service').map((p) => serviceFromKube(p.r, p.ns, mesh.trustDomain)),
    ...byKind('ServiceEntry', 'networking.istio.io').flatMap((p) => servicesFromEntry(p.r, p.ns)),
  ]
  services.sort((a, b) => cmp(a.host, b.host) || cmp(a.namespace, b.namespace) || cmp(a.source, b.source))
  assignClusterIps(services)
  const servicesByHost = new Map<string, Service[]>()
  for (const s of services) {
    const list = servicesByHost.get(s.host)
    if (list) list.push(s)
    else servicesByHost.set(s.host, [s])
  }

  const pods = byKind('Pod')
  let workloads: Workload[] = pods.map((p) => workloadFromPod(p.r, p.ns))
  if (pods.length === 0 && !opts.live) {
    workloads = byKind('Deployment').flatMap((p) =>
      workloadsFromDeployment(p.r, p.ns, namespaces.get(p.ns)?.['istio-injection'] === 'enabled'),
    )
  }
  workloads.push(...byKind('WorkloadEntry', 'networking.istio.io').map((p) => workloadFromEntry(p.r, p.ns)))
  workloads.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name))
  assignAddresses(workloads)
  const workloadsByNamespace = new Map<string, Workload[]>()
  for (const w of workloads)
    workloadsByNamespace.set(w.namespace, [...(workloadsByNamespace.get(w.namespace) ?? []), w])

  const config = (kind: string): ConfigEntry[] => ranked(byKind(kind, 'networking.istio.io'))
  const peer = [
    ...byKind('PeerAuthentication', 'security.istio.io'),
    ...byKind('Policy', 'authentication.istio.io').map((p) => ({ ...p, r: legacyPolicy(p.r), raw: p.r })),
  ]
  const snapshot: MeshSnapshot = {
    services,
    servicesByHost,
    workloads,
    workloadsByNamespace,
    namespaces,
    virtualServices: config('VirtualService'),
    destinationRules: config('DestinationRule'),
    gateways: config('Gateway'),
    sidecars: config('Sidecar'),
    peerAuthentications: ranked(peer),
    authorizationPolicies: ranked(byKind('AuthorizationPolicy', 'security.istio.io')),
    mesh,
  }
  deepFreeze(snapshot)
  return { snapshot, diagnostics }
}

/** Builds the frozen snapshot (see {@link buildSnapshotWithDiagnostics}). */
export function buildSnapshot(resources: readonly Resource[], opts: SnapshotOptions = {}): MeshSnapshot {
  return buildSnapshotWithDiagnostics(resources, opts).snapshot
}

/**
 * Kubernetes allocates a ClusterIP to every Service that does not ask for none; offline (files without
 * `spec.clusterIP`) give them deterministic addresses from 10.96.128.0/17, in host order.
 */
function assignClusterIps(services: Service[]): void {
  let i = 0
  for (const s of services) {
    if (s.origin !== 'kubernetes' || s.addresses.length > 0 || s.headless) continue
    s.addresses.push(`10.96.${128 + Math.floor(i / 250)}.${(i % 250) + 1}`)
    i++
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Oldest first: creationTimestamp when both have one, then load order; rank = position. */
function ranked(list: Placed[]): ConfigEntry[] {
  const sorted = [...list].sort((a, b) => {
    const ta = a.r.metadata.creationTimestamp
    const tb = b.r.metadata.creationTimestamp
    if (ta && tb && ta !== tb) return Date.parse(ta) - Date.parse(tb) || cmp(ta, tb)
    if (ta && !tb) return -1
    if (!ta && tb) return 1
    return a.index - b.index
  })
  return sorted.map((p, rank) => ({
    name: p.r.metadata.name,
    namespace: p.ns,
    key: `${p.r.metadata.name}.${p.ns}`,
    spec: JSON.parse(JSON.stringify(specOf(p.r))) as Record<string, unknown>,
    resource: p.raw ?? p.r,
    rank,
  }))
}

/**
 * `authentication.istio.io/v1alpha1 Policy` (removed in Istio 1.6) as a namespace-wide
 * PeerAuthentication: `peers: [{mtls: {}}]` or no mode ⇒ STRICT; no peers ⇒ PERMISSIVE.
 */
function legacyPolicy(r: Resource): Resource {
  const peers = arr(specOf(r).peers)
  const mtls = peers.map((p) => obj(obj(p)?.mtls)).find((m) => m !== undefined)
  const mode = mtls ? (str(mtls.mode)?.toUpperCase() ?? 'STRICT') : 'PERMISSIVE'
  return { ...r, body: { ...r.body, spec: { mtls: { mode } } } }
}

function deepFreeze(v: unknown, seen = new Set<unknown>()): void {
  if (v === null || typeof v !== 'object' || seen.has(v)) return
  seen.add(v)
  if (v instanceof Map) {
    for (const x of v.values()) deepFreeze(x, seen)
    return
  }
  for (const [k, x] of Object.entries(v)) if (k !== 'resource') deepFreeze(x, seen)
  Object.freeze(v)
}
