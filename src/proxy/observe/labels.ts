/**
 * @module proxy/observe/labels — Istio's standard metric labels (istio-semantics §4.1), from the node
 * identity, the peer metadata of inbound requests and the cluster/endpoint metadata of the config.
 */
import type { Endpoint, NodeIdentity, ServiceRef } from '../../proxyconfig/types.ts'
import type { PeerMetadata } from '../exchange.ts'

/** Label names of the HTTP metrics, in Istio's order. */
export const HTTP_LABELS = [
  'reporter',
  'source_workload',
  'source_canonical_service',
  'source_canonical_revision',
  'source_workload_namespace',
  'source_principal',
  'source_app',
  'source_version',
  'source_cluster',
  'destination_workload',
  'destination_workload_namespace',
  'destination_principal',
  'destination_app',
  'destination_version',
  'destination_service',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_service_name',
  'destination_service_namespace',
  'destination_cluster',
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
  'connection_security_policy',
] as const

/** TCP metrics carry every label except `response_code` and `grpc_response_status`. */
export const TCP_LABELS = HTTP_LABELS.filter((l) => l !== 'response_code' && l !== 'grpc_response_status')

/** The cluster name Istio reports for a single-cluster mesh. */
export const CLUSTER_ID = 'Kubernetes'

interface Workload {
  workload: string
  namespace: string
  principal: string
  app: string
  version: string
  canonicalService: string
  canonicalRevision: string
}

const UNKNOWN: Workload = {
  workload: 'unknown',
  namespace: 'unknown',
  principal: 'unknown',
  app: 'unknown',
  version: 'unknown',
  canonicalService: 'unknown',
  canonicalRevision: 'unknown',
}

const nodeCache = new WeakMap<NodeIdentity, Workload>()
const endpointCache = new WeakMap<Endpoint, Workload>()

/** The node itself as a workload (cached per config object). */
export function nodeWorkload(node: NodeIdentity): Workload {
  let w = nodeCache.get(node)
  if (!w) {
    w = computeNodeWorkload(node)
    nodeCache.set(node, w)
  }
  return w
}

function computeNodeWorkload(node: NodeIdentity): Workload {
  const l = node.labels
  const app = l.app ?? l['app.kubernetes.io/name'] ?? 'unknown'
  const version = l.version ?? l['app.kubernetes.io/version'] ?? 'unknown'
  return {
    workload: node.workload || 'unknown',
    namespace: node.namespace || 'unknown',
    principal: node.identity || 'unknown',
    app,
    version,
    canonicalService:
      l['service.istio.io/canonical-name'] ?? (app !== 'unknown' ? app : node.workload || 'unknown'),
    canonicalRevision:
      l['service.istio.io/canonical-revision'] ?? (version !== 'unknown' ? version : 'latest'),
  }
}

/** The peer metadata a proxy sends about itself (Istio metadata exchange). */
export function peerOf(node: NodeIdentity): PeerMetadata {
  const w = nodeWorkload(node)
  return {
    workload: w.workload,
    namespace: w.namespace,
    app: w.app,
    version: w.version,
    principal: w.principal,
    cluster: CLUSTER_ID,
  }
}

function fromPeer(p: PeerMetadata | undefined): Workload {
  if (!p) return UNKNOWN
  return {
    workload: p.workload,
    namespace: p.namespace,
    principal: p.principal,
    app: p.app,
    version: p.version,
    canonicalService: p.app !== 'unknown' ? p.app : p.workload,
    canonicalRevision: p.version !== 'unknown' ? p.version : 'latest',
  }
}

function fromEndpoint(ep: Endpoint | undefined, trustDomain: string): Workload {
  if (!ep?.workload) return UNKNOWN
  let w = endpointCache.get(ep)
  if (!w) {
    w = computeEndpointWorkload(ep, ep.workload, trustDomain)
    endpointCache.set(ep, w)
  }
  return w
}

function computeEndpointWorkload(
  ep: Endpoint,
  w: NonNullable<Endpoint['workload']>,
  trustDomain: string,
): Workload {
  const l = ep.labels
  const app = l.app ?? l['app.kubernetes.io/name'] ?? 'unknown'
  const version = l.version ?? 'unknown'
  return {
    workload: w.name,
    namespace: w.namespace,
    principal: `spiffe://${trustDomain}/ns/${w.namespace}/sa/${w.serviceAccount}`,
    app,
    version,
    canonicalService: l['service.istio.io/canonical-name'] ?? (app !== 'unknown' ? app : w.name),
    canonicalRevision:
      l['service.istio.io/canonical-revision'] ?? (version !== 'unknown' ? version : 'latest'),
  }
}

/** What one request or connection tells the label builder. */
export interface LabelInput {
  inbound: boolean
  node: NodeIdentity
  trustDomain: string
  peer: PeerMetadata | undefined
  endpoint: Endpoint | undefined
  service: ServiceRef | undefined
  protocol: 'http' | 'grpc' | 'tcp'
  responseCode: number
  grpcStatus: string
  flags: string
  /** Verified SPIFFE identity of the downstream (inbound mutual TLS). */
  peerPrincipal?: string | undefined
  /** The upstream connection used Istio mutual TLS. */
  upstreamMtls?: boolean
}

/** Label values in `HTTP_LABELS` (or `TCP_LABELS` when `tcp`) order. */
export function labelValues(i: LabelInput, tcp: boolean): string[] {
  const self = nodeWorkload(i.node)
  const src = i.inbound ? fromPeer(i.peer) : self
  const dst = i.inbound ? self : fromEndpoint(i.endpoint, i.trustDomain)
  // Principals are only known when authenticated by mutual TLS; Istio reports `unknown` otherwise.
  const mtlsIn = i.inbound && i.peerPrincipal !== undefined
  const mtlsOut = !i.inbound && i.upstreamMtls === true
  const srcPrincipal = mtlsIn ? (i.peerPrincipal ?? 'unknown') : mtlsOut ? self.principal : 'unknown'
  const dstPrincipal = mtlsIn ? self.principal : mtlsOut ? dst.principal : 'unknown'
  const svc = i.service
  const out = [
    i.inbound ? 'destination' : 'source',
    src.workload,
    src.canonicalService,
    src.canonicalRevision,
    src.namespace,
    srcPrincipal,
    src.app,
    src.version,
    i.inbound && !i.peer ? 'unknown' : CLUSTER_ID,
    dst.workload,
    dst.namespace,
    dstPrincipal,
    dst.app,
    dst.version,
    svc?.host ?? 'unknown',
    dst.canonicalService,
    dst.canonicalRevision,
    svc?.name ?? 'unknown',
    svc?.namespace ?? 'unknown',
    !i.inbound && !i.endpoint?.workload ? 'unknown' : CLUSTER_ID,
    i.protocol,
  ]
  if (!tcp) out.push(String(i.responseCode), i.grpcStatus, i.flags)
  else out.push(i.flags)
  out.push(i.inbound ? (mtlsIn ? 'mutual_tls' : 'none') : 'unknown')
  return out
}
