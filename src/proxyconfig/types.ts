/**
 * @module proxyconfig/types — the compiled configuration one proxy runs on (ProxyConfig v1).
 *
 * This is the contract between the control plane (`src/compile/` writes it) and the data plane
 * (`src/proxy/` reads it). It is plain JSON-able data: no functions, no classes, no Maps, so that it
 * can be hashed, pushed over the wire, dumped by `weir proxy-config` and compared in golden files.
 * Changes are additive; a field that changes meaning needs a new version.
 *
 * Everything a proxy decides per request is decided from this data alone: the proxy never sees user
 * YAML. Decisions Istio makes at config time (sourceLabels, sourceNamespace, match.gateways,
 * match.port, default retries, DestinationRule merging, subset selection) are already applied.
 */

/** `outbound|9080|v1|reviews.default.svc.cluster.local`, `inbound|8080||`, `BlackHoleCluster`, `PassthroughCluster`. */
export type ClusterName = string

export const BLACKHOLE_CLUSTER = 'BlackHoleCluster'
export const PASSTHROUGH_CLUSTER = 'PassthroughCluster'

/** The whole config of one proxy. `version` is the sha256 (hex, first 16 chars) of the canonical JSON of the rest. */
export interface ProxyConfig {
  version: string
  node: NodeIdentity
  mesh: MeshRuntime
  listeners: Listener[]
  /** Route tables by name (a listener refers to one by name). */
  routeTables: Record<string, RouteTable>
  clusters: Record<ClusterName, Cluster>
}

/** Who the proxy is. `id` is `pod.namespace` (istioctl's NAME column). */
export interface NodeIdentity {
  id: string
  role: 'sidecar' | 'gateway'
  namespace: string
  /** Workload name (the Deployment), Istio's `source_workload`. */
  workload: string
  labels: Record<string, string>
  serviceAccount: string
  /** SPIFFE identity `spiffe://<trustDomain>/ns/<ns>/sa/<sa>`. */
  identity: string
}

/** Mesh-wide settings the proxy applies at run time. */
export interface MeshRuntime {
  outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY'
  trustDomain: string
  accessLog: { enabled: boolean; format: 'text' | 'json' }
  /** Upstream connect timeout (mesh `connectTimeout`, default 10 s). */
  connectTimeoutMs: number
  tracing: { samplingPercent: number; zipkinUrl?: string; otlpUrl?: string }
}

/** Where a listener sits in the request path. */
export type ListenerDirection = 'outbound' | 'inbound' | 'gateway'

interface ListenerBase {
  /** Envoy-style name: `0.0.0.0_8080`, `10.96.0.12_6379`, `virtualInbound`, `0.0.0.0_80` (gateway). */
  name: string
  direction: ListenerDirection
  /**
   * The address the listener stands for: `0.0.0.0` for a wildcard port (all HTTP services on that port),
   * a service VIP for a TCP service. How the proxy really binds it is the runtime's choice.
   */
  address: string
  port: number
  /** TLS the listener terminates (gateway SIMPLE/MUTUAL, sidecar inbound mTLS). */
  tls?: ServerTls
}

/** An HTTP connection manager: requests are routed by the named route table. */
export interface HttpListener extends ListenerBase {
  protocol: 'http'
  routeTable: string
}

/** A TCP proxy: the first matching route picks the backend; `defaultCluster` when none matches (TCP falls through). */
export interface TcpListener extends ListenerBase {
  protocol: 'tcp'
  routes: TcpRoute[]
  /** Cluster used when no route matches; BlackHoleCluster closes the connection. */
  defaultCluster: ClusterName
  /** Metadata for telemetry about the service this listener stands for (absent for passthrough). */
  service?: ServiceRef
}

export type Listener = HttpListener | TcpListener

/** One TCP route (VirtualService `tcp[]` / `tls[]` rule), already filtered for the calling proxy. */
export interface TcpRoute {
  origin?: RouteOrigin
  match: { destinationSubnets?: string[]; sniHosts?: string[] }
  backends: WeightedBackend[]
}

/** A route table: virtual hosts chosen by Host/:authority (port ignored), Envoy's domain precedence. */
export interface RouteTable {
  name: string
  virtualHosts: VirtualHost[]
}

/**
 * Domains: exact (`reviews.default.svc.cluster.local`, `reviews`, `10.96.0.3`), suffix wildcard
 * (`*.example.com`), prefix wildcard (`reviews.*`), or `*`. Matching is case-insensitive and ignores the
 * port; precedence exact > longest suffix > longest prefix > `*`.
 */
export interface VirtualHost {
  /** `reviews.default.svc.cluster.local:9080`, `allow_any`, `block_all`, `blackhole:80`. */
  name: string
  domains: string[]
  /** In order: the first route whose match holds wins. None ⇒ 404 NR. */
  routes: Route[]
  /** The service the virtual host stands for, for telemetry (`destination_service`). */
  service?: ServiceRef
  /** Response headers added/removed on every route of this host (e.g. CORS). */
  cors?: CorsPolicy
}

/** Which user rule a compiled route came from (for explain, access logs and the dashboard). */
export interface RouteOrigin {
  /** `name.namespace` of the VirtualService. */
  virtualService: string
  /** Index in `spec.http` (or `spec.tcp`/`spec.tls`). */
  rule: number
  /** Index in the rule's `match`, absent for a rule without match. */
  match?: number
  /** `%ROUTE_NAME%`: the rule name, `<rule>.<match>` when both are named. */
  name?: string
}

/** One compiled HTTP route. */
export interface Route {
  origin?: RouteOrigin
  match: RouteMatch
  action: RouteAction
  policy: RoutePolicy
  headers?: HeaderOperations
}

/**
 * A string matcher. `regex` is RE2 syntax and matches the WHOLE value (Envoy safe_regex: compile as
 * `^(?:re)$`). `present` only checks presence. `ignoreCase` applies to exact and prefix.
 */
export type StringMatch =
  | { kind: 'exact'; value: string; ignoreCase?: boolean }
  | { kind: 'prefix'; value: string; ignoreCase?: boolean }
  | { kind: 'suffix'; value: string; ignoreCase?: boolean }
  | { kind: 'regex'; value: string }
  | { kind: 'present' }

/** A header condition. Several values of one header are matched as one comma-joined string. */
export interface HeaderMatch {
  /** Lower-case header name. */
  name: string
  match: StringMatch
  /** From `withoutHeaders`: the route matches only when this condition does NOT hold (absent ⇒ matched as ''). */
  invert?: boolean
}

/** All conditions AND. An empty object matches every request. Path is matched without the query string. */
export interface RouteMatch {
  path?: StringMatch
  method?: StringMatch
  scheme?: StringMatch
  authority?: StringMatch
  headers?: HeaderMatch[]
  queryParams?: { name: string; match: StringMatch }[]
}

/** What a route does. */
export type RouteAction =
  | ForwardAction
  | {
      kind: 'redirect'
      /** 301 (default), 302, 303, 307, 308. */
      status: number
      scheme?: string
      authority?: string
      /** Explicit port, or derive from the protocol default / the request port. */
      port?: number | 'FROM_PROTOCOL_DEFAULT' | 'FROM_REQUEST_PORT'
      /** Replaces the whole path. */
      path?: string
    }
  | { kind: 'respond'; status: number; body?: string; headers?: Record<string, string> }

/**
 * Forward to one of the weighted backends (a random pick per request, relative weights; weight-0
 * backends are already removed when there are two or more). A backend whose cluster is not in
 * `ProxyConfig.clusters` answers 503 NC.
 */
export interface ForwardAction {
  kind: 'forward'
  backends: WeightedBackend[]
}

export interface WeightedBackend {
  cluster: ClusterName
  weight: number
  headers?: HeaderOperations
}

/** The filters around the upstream call, as compiled for one route. */
export interface RoutePolicy {
  /** Whole-request timeout including retries; absent ⇒ none (Istio's default). 504 UT. */
  timeoutMs?: number
  /** Absent ⇒ no retries (Istio's default policy is compiled in explicitly). */
  retry?: RetryPolicy
  fault?: FaultPolicy
  mirrors?: MirrorPolicy[]
  rewrite?: RewritePolicy
  /** For consistent-hash clusters: how to compute the hash (Envoy route hash_policy). */
  hashPolicy?: HashPolicy
  cors?: CorsPolicy
}

/** Envoy retry policy. `retryOn` holds Envoy tokens (`5xx`, `gateway-error`, `reset`, `connect-failure`, …). */
export interface RetryPolicy {
  /** Retries after the first attempt (max attempts = 1 + numRetries). */
  numRetries: number
  perTryTimeoutMs?: number
  retryOn: string[]
  retriableStatusCodes: number[]
  /** Prefer a host not tried yet (Envoy previous_hosts); false for consistent-hash backends. */
  retryOtherHosts: boolean
  /** Base interval of exponential backoff with jitter (default 25 ms, max 10× base). */
  backoffBaseMs: number
}

/** Percentages are doubles in [0, 100]; 0 never fires. */
export interface FaultPolicy {
  delay?: { fixedDelayMs: number; percentage: number }
  abort?: { httpStatus?: number; grpcStatus?: string; percentage: number }
}

/** Fire-and-forget copy of the request. */
export interface MirrorPolicy {
  cluster: ClusterName
  percentage: number
  /** Append `-shadow` to the mirrored authority (Istio ≤ 1.27 behaviour). */
  shadowHostSuffix: boolean
}

export interface RewritePolicy {
  /** Replaces the matched prefix (prefix match) or the whole path (other matches). */
  uri?: string
  uriRegex?: { pattern: string; substitution: string }
  authority?: string
}

export interface HeaderOperations {
  request?: { set?: Record<string, string>; add?: Record<string, string>; remove?: string[] }
  response?: { set?: Record<string, string>; add?: Record<string, string>; remove?: string[] }
}

export interface CorsPolicy {
  allowOrigins: StringMatch[]
  allowMethods?: string[]
  allowHeaders?: string[]
  exposeHeaders?: string[]
  maxAgeSeconds?: number
  allowCredentials?: boolean
}

export type HashPolicy =
  | { kind: 'header'; name: string }
  | { kind: 'cookie'; name: string; path?: string; ttlMs?: number }
  | { kind: 'sourceIp' }
  | { kind: 'queryParam'; name: string }

/** The service a cluster, listener or virtual host stands for (telemetry labels `destination_service*`). */
export interface ServiceRef {
  /** FQDN: `reviews.default.svc.cluster.local`. */
  host: string
  /** Short name: `reviews`. */
  name: string
  namespace: string
  port?: number
}

/** An upstream cluster: endpoints plus how to pick among them and how to connect. */
export interface Cluster {
  name: ClusterName
  /**
   * eds: the listed endpoints; originalDst: connect where the caller was going (PassthroughCluster,
   * ServiceEntry resolution NONE); blackhole: refuse (BlackHoleCluster); dns: resolve `endpoints[].address`
   * names at connect time.
   */
  type: 'eds' | 'originalDst' | 'blackhole' | 'dns'
  direction: 'outbound' | 'inbound'
  service?: ServiceRef
  subset?: string
  /** Protocol spoken to the endpoints. */
  protocol: 'http1' | 'http2' | 'tcp'
  endpoints: Endpoint[]
  lb: LoadBalancer
  connectTimeoutMs: number
  circuitBreaker: CircuitBreaker
  outlierDetection?: OutlierDetection
  tls?: UpstreamTls
  /** MESH_EXTERNAL ServiceEntry hosts report as such in telemetry. */
  external?: boolean
}

export interface Endpoint {
  address: string
  port: number
  /** Ready endpoints only are picked; all of them are listed for `/clusters`. */
  ready: boolean
  weight?: number
  labels: Record<string, string>
  /** The workload behind the endpoint (telemetry `destination_workload`, `destination_version`, …). */
  workload?: { name: string; namespace: string; serviceAccount: string; pod?: string }
  /** `istio` when the endpoint has a sidecar (auto-mTLS target). */
  tlsMode?: 'istio' | 'disabled'
}

export type LoadBalancer =
  | { kind: 'LEAST_REQUEST' }
  | { kind: 'ROUND_ROBIN' }
  | { kind: 'RANDOM' }
  | { kind: 'PASSTHROUGH' }
  | { kind: 'RING_HASH'; minimumRingSize: number }
  | { kind: 'MAGLEV'; tableSize: number }

/** Envoy circuit breakers; absent limits are unlimited. Overflow ⇒ 503 UO with `x-envoy-overloaded: true`. */
export interface CircuitBreaker {
  maxConnections?: number
  maxPendingRequests?: number
  maxRequests?: number
  maxRetries?: number
  /** 1 disables keep-alive; absent = unlimited. */
  maxRequestsPerConnection?: number
  idleTimeoutMs?: number
}

export interface OutlierDetection {
  consecutive5xx?: number
  consecutiveGatewayErrors?: number
  intervalMs: number
  baseEjectionTimeMs: number
  maxEjectionPercent: number
  /** Panic threshold: below this share of healthy hosts, ejected hosts are used too. Istio default 0 (off). */
  minHealthPercent: number
}

/** TLS the proxy originates to upstream endpoints. */
export type UpstreamTls =
  | { mode: 'ISTIO_MUTUAL'; sni?: string; subjectAltNames?: string[] }
  | {
      mode: 'SIMPLE' | 'MUTUAL'
      sni?: string
      subjectAltNames?: string[]
      caCertificates?: string
      clientCertificate?: string
      privateKey?: string
      insecureSkipVerify?: boolean
    }
  | { mode: 'AUTO' }

/** TLS a listener terminates. */
export type ServerTls =
  | { mode: 'ISTIO_MUTUAL'; peerAuthentication: 'STRICT' | 'PERMISSIVE' }
  | {
      mode: 'SIMPLE' | 'MUTUAL'
      /** File path or PEM; '' when the certificate comes from `credentialName`. */
      serverCertificate: string
      privateKey: string
      caCertificates?: string
      minProtocolVersion?: string
      /** Gateway `tls.credentialName`: a Kubernetes Secret (`tls.crt`/`tls.key`/`ca.crt`, or `cert`/`key`/`cacert`) in the gateway's namespace. */
      credentialName?: string
    }
