/**
 * @module analyze/context — the read-only view analyzers work on: resources by kind, pods (Deployments'
 * pod templates stand for pods when analyzing files), and the service registry keyed by export scope.
 */
import { splitApiVersion } from '../api/kinds.ts'
import { type Resource, specOf } from '../api/resource.ts'
import { toFQDN } from './hosts.ts'
import type { Need } from './types.ts'
import { arr, labelsOf, num, obj, str, strs } from './values.ts'

/** The mesh config fields the analyzers read (Istio's defaults unless a mesh config says otherwise). */
export interface MeshConfigView {
  ingressService: string
  ingressControllerMode: string
  rootNamespace: string
  proxyMetadata: Readonly<Record<string, string>>
  /** The whole mesh config as written (defaults not filled in), for fields only one analyzer reads. */
  raw: Readonly<Record<string, unknown>>
}

/** Istio's default mesh config, as far as the analyzers care. */
export const DEFAULT_MESH: MeshConfigView = {
  ingressService: 'istio-ingressgateway',
  ingressControllerMode: 'STRICT',
  rootNamespace: 'istio-system',
  proxyMetadata: {},
  raw: {},
}

/** A workload instance: a Pod, or a Deployment's pod template. */
export interface PodView {
  name: string
  namespace: string
  labels: Readonly<Record<string, string>>
  annotations: Readonly<Record<string, string>>
  nodeName: string
  /** Names of containers and init containers. */
  containers: readonly string[]
  resource: Resource
  /** True for a Deployment standing for its pods. */
  template: boolean
}

/** A service as the analyzers see it: a ServiceEntry, or a Kubernetes Service converted to one. */
export interface ServiceView {
  ports: readonly { number: number; name: string; protocol: string }[]
  workloadSelector: Readonly<Record<string, string>>
  resource: Resource
}

/** Options for building a context. */
export interface ContextOptions {
  /** Let Deployments' pod templates stand for pods (offline analysis of manifests). */
  deploymentsAsPods?: boolean
  mesh?: MeshConfigView
  /** Node labels by node name (topology labels for subsets). */
  nodes?: ReadonlyMap<string, Readonly<Record<string, string>>>
  /** Kubernetes-only inputs the user gave (default: all of them). */
  present?: ReadonlySet<Need>
}

/** What every analyzer gets. */
export interface AnalysisContext {
  readonly resources: readonly Resource[]
  readonly mesh: MeshConfigView
  readonly pods: readonly PodView[]
  readonly nodes: ReadonlyMap<string, Readonly<Record<string, string>>>
  /** True when the user's input holds objects of this Kubernetes-only kind (offline, absence proves nothing). */
  has(need: Need): boolean
  /** Resources of one kind. `Gateway` means Istio's; Gateway API kinds are asked for as `gateway.networking.k8s.io/Gateway`. */
  kind(kind: string): readonly Resource[]
  /** Istio's service registry keyed `scope/fqdn` (scope `*` = exported to all namespaces). */
  readonly registry: ReadonlyMap<string, ServiceView>
  /** The service a destination host names, as seen from `sourceNs` with the rule's exportTo; undefined if none. */
  destinationService(sourceNs: string, exportTo: readonly string[], host: string): ServiceView | undefined
}

/** The namespace of a resource ('' when it has none). */
export function nsOf(r: Resource): string {
  return r.metadata.namespace ?? ''
}

/** Builds the context once per analysis run. */
export function createAnalysisContext(
  resources: readonly Resource[],
  opts: ContextOptions = {},
): AnalysisContext {
  const byKind = new Map<string, Resource[]>()
  for (const r of resources) {
    const { group } = splitApiVersion(r.apiVersion)
    const key = r.kind === 'Gateway' && group === 'gateway.networking.k8s.io' ? `${group}/Gateway` : r.kind
    const list = byKind.get(key) ?? []
    list.push(r)
    byKind.set(key, list)
  }
  const kind = (k: string): readonly Resource[] => byKind.get(k) ?? []
  const pods = [...kind('Pod').map((r) => podOf(r, false))]
  if (opts.deploymentsAsPods) pods.push(...kind('Deployment').map((r) => podOf(r, true)))
  const registry = buildRegistry(kind('ServiceEntry'), kind('Service'))
  return {
    resources,
    mesh: opts.mesh ?? DEFAULT_MESH,
    pods,
    nodes: nodesOf(kind('Node'), opts.nodes),
    has: (need) => opts.present?.has(need) ?? true,
    kind,
    registry,
    destinationService: (sourceNs, exportTo, host) => lookup(registry, sourceNs, exportTo, host),
  }
}

function nodesOf(
  nodes: readonly Resource[],
  given: ReadonlyMap<string, Readonly<Record<string, string>>> | undefined,
): Map<string, Readonly<Record<string, string>>> {
  const out = new Map(given ?? [])
  for (const n of nodes) out.set(n.metadata.name, labelsOf(n.metadata.labels))
  return out
}

function podOf(r: Resource, template: boolean): PodView {
  const spec = template ? obj(obj(specOf(r).template).spec) : specOf(r)
  const meta = template ? obj(obj(specOf(r).template).metadata) : r.metadata
  const containers = [...arr(spec.containers), ...arr(spec.initContainers)].map((c) => str(obj(c).name))
  return {
    name: r.metadata.name,
    namespace: nsOf(r),
    labels: labelsOf(meta.labels),
    annotations: labelsOf(meta.annotations),
    nodeName: str(spec.nodeName),
    containers,
    resource: r,
    template,
  }
}

function buildRegistry(
  entries: readonly Resource[],
  services: readonly Resource[],
): Map<string, ServiceView> {
  const out = new Map<string, ServiceView>()
  for (const r of entries) {
    const spec = specOf(r)
    const ns = nsOf(r)
    const view: ServiceView = {
      ports: arr(spec.ports).map((p) => ({
        number: num(obj(p).number) ?? 0,
        name: str(obj(p).name),
        protocol: str(obj(p).protocol),
      })),
      workloadSelector: labelsOf(obj(spec.workloadSelector).labels),
      resource: r,
    }
    const exportTo = strs(spec.exportTo)
    for (const h of strs(spec.hosts)) {
      if (exportTo.length === 0 || exportTo.includes('*')) {
        out.set(`*/${toFQDN(ns, h)}`, view)
        continue
      }
      for (const e of exportTo) out.set(`${e === '.' ? ns : e}/${toFQDN(ns, h)}`, view)
    }
  }
  for (const r of services) {
    const ns = nsOf(r)
    const view: ServiceView = {
      ports: arr(specOf(r).ports).map((p) => ({
        number: num(obj(p).port) ?? 0,
        name: str(obj(p).name),
        protocol: str(obj(p).protocol) || 'TCP',
      })),
      workloadSelector: {},
      resource: r,
    }
    const anno = r.metadata.annotations?.['networking.istio.io/exportTo'] ?? ''
    const scopes = anno === '' ? ['*'] : anno.split(',').map((s) => (s.trim() === '.' ? ns : s.trim()))
    for (const scope of scopes) out.set(`${scope}/${toFQDN(ns, r.metadata.name)}`, view)
  }
  return out
}

function lookup(
  registry: ReadonlyMap<string, ServiceView>,
  sourceNs: string,
  exportTo: readonly string[],
  host: string,
): ServiceView | undefined {
  const fqdn = toFQDN(sourceNs, host)
  const all = registry.get(`*/${fqdn}`)
  if (all) return all
  const scopes = exportTo.length === 0 ? [sourceNs] : exportTo.map((e) => (e === '.' ? sourceNs : e))
  for (const s of scopes) {
    const found = registry.get(`${s}/${fqdn}`)
    if (found) return found
  }
  // Wildcard service hosts last, as Istio does; a wildcard destination matches by suffix too.
  for (const [key, view] of registry) {
    const slash = key.indexOf('/')
    const scope = key.slice(0, slash)
    const seHost = key.slice(slash + 1)
    if (!seHost.startsWith('*') || (scope !== '*' && scope !== sourceNs)) continue
    if (host.replace(/^\*/, '').endsWith(seHost.slice(1))) return view
  }
  return undefined
}
