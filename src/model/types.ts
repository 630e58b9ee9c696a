/** @module model/types — the world as one frozen snapshot: services, workloads, Istio config, mesh config. */
import type { Resource } from '../api/resource.ts'

/** How traffic on a port is handled (Istio protocol, lower-cased; `auto` = sniffed, treated as HTTP). */
export type PortProtocol = 'http' | 'http2' | 'grpc' | 'https' | 'tls' | 'tcp' | 'udp' | 'auto'

/** One port of a service. */
export interface ServicePort {
  name: string
  port: number
  /** Number, or a container port name (Kubernetes `targetPort`). */
  targetPort: number | string
  protocol: PortProtocol
}

/** A Kubernetes Service or one host of a ServiceEntry. */
export interface Service {
  /** FQDN (`reviews.default.svc.cluster.local`) or ServiceEntry host (`*.wikipedia.org`). */
  host: string
  /** Short name (`reviews`; the host for ServiceEntries). */
  name: string
  namespace: string
  origin: 'kubernetes' | 'serviceentry'
  ports: ServicePort[]
  /** ClusterIP (allocated offline when the file names none) or ServiceEntry addresses. */
  addresses: string[]
  /** `clusterIP: None`. */
  headless?: boolean
  location: 'MESH_INTERNAL' | 'MESH_EXTERNAL'
  /** Kubernetes services are STATIC (endpoints from pods). */
  resolution: 'STATIC' | 'NONE' | 'DNS' | 'DNS_ROUND_ROBIN' | 'DYNAMIC_DNS'
  /** Pod selector (Kubernetes `spec.selector`, ServiceEntry `workloadSelector.labels`). */
  selector?: Record<string, string>
  /** ServiceEntry `endpoints[]`. */
  staticEndpoints?: StaticEndpoint[]
  /** Namespaces that see the service (`*` = all). */
  exportTo: string[]
  /** `Kind namespace/name` of the resource it came from. */
  source: string
}

/** A ServiceEntry endpoint. */
export interface StaticEndpoint {
  address: string
  /** Port name → port. */
  ports: Record<string, number>
  labels: Record<string, string>
  weight?: number
  serviceAccount?: string
}

/** A pod (or WorkloadEntry, or a replica standing for a pod of a Deployment). */
export interface Workload {
  /** Pod name (`reviews-v1-7d9c6b8f5-x2x7k`). */
  name: string
  namespace: string
  /** The owning Deployment (Istio's `source_workload`), or the pod name. */
  workload: string
  kind: 'Pod' | 'WorkloadEntry' | 'Deployment'
  labels: Record<string, string>
  serviceAccount: string
  address: string
  ready: boolean
  sidecar: boolean
  /** Container port name → number. */
  containerPorts: Record<string, number>
}

/** One Istio config object with its precedence rank (oldest first). */
export interface ConfigEntry {
  name: string
  namespace: string
  /** `name.namespace`. */
  key: string
  spec: Record<string, unknown>
  resource: Resource
  /** Position in creation order: creationTimestamp, then load order. */
  rank: number
}

/** Mesh-wide settings (ConfigMap `istio` in `istio-system`, key `mesh`). */
export interface MeshConfig {
  outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY'
  trustDomain: string
  enableAutoMtls: boolean
  accessLogFile: string
  accessLogEncoding: 'TEXT' | 'JSON'
  connectTimeoutMs: number
  defaultHttpRetryPolicy?: Record<string, unknown>
  rootNamespace: string
  /** `defaultConfig.tracing.sampling` (percent, default 1); 0 when `enableTracing: false`. */
  tracingSamplingPercent: number
  /** `defaultConfig.tracing.zipkin.address` as a URL. */
  zipkinUrl?: string
}

/** Effective PeerAuthentication mode. */
export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE'

/** The frozen world a proxy's config is compiled from. */
export interface MeshSnapshot {
  readonly services: readonly Service[]
  /** Services by exact host. */
  readonly servicesByHost: ReadonlyMap<string, readonly Service[]>
  readonly workloads: readonly Workload[]
  /** Workloads by namespace (same order). */
  readonly workloadsByNamespace: ReadonlyMap<string, readonly Workload[]>
  /** Namespace labels (from Namespace objects). */
  readonly namespaces: ReadonlyMap<string, Readonly<Record<string, string>>>
  readonly virtualServices: readonly ConfigEntry[]
  readonly destinationRules: readonly ConfigEntry[]
  readonly gateways: readonly ConfigEntry[]
  readonly sidecars: readonly ConfigEntry[]
  /** Legacy `authentication.istio.io/v1alpha1 Policy` included, translated. */
  readonly peerAuthentications: readonly ConfigEntry[]
  /** `security.istio.io` AuthorizationPolicies (`resource` as written). */
  readonly authorizationPolicies: readonly ConfigEntry[]
  readonly mesh: MeshConfig
}
