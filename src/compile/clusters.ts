/** @module compile/clusters — outbound clusters per service port and subset, with endpoints and policy. */
import { labelsMatch } from '../model/read.ts'
import type { Service, ServicePort, Workload } from '../model/types.ts'
import {
  BLACKHOLE_CLUSTER,
  type Cluster,
  type Endpoint,
  PASSTHROUGH_CLUSTER,
  type ServiceRef,
} from '../proxyconfig/types.ts'
import type { CompileContext } from './context.ts'
import {
  circuitBreakerOf,
  connectTimeoutOf,
  loadBalancerOf,
  outlierOf,
  policyFor,
  ruleFor,
} from './destination-rule.ts'
import { clusterTlsFor } from './security/compile-glue.ts'

/** `outbound|9080|v1|reviews.default.svc.cluster.local` (Istio's cluster naming). */
export function outboundClusterName(port: number, subset: string, host: string): string {
  return `outbound|${port}|${subset}|${host}`
}

/** `inbound|8080||`. */
export function inboundClusterName(port: number): string {
  return `inbound|${port}||`
}

/** The telemetry reference of a service. */
export function serviceRef(s: Service, port?: number): ServiceRef {
  return {
    host: s.host,
    name: s.origin === 'kubernetes' ? s.name : s.host,
    namespace: s.namespace,
    ...(port !== undefined ? { port } : {}),
  }
}

function protocolOf(p: ServicePort): Cluster['protocol'] {
  if (p.protocol === 'http2' || p.protocol === 'grpc') return 'http2'
  if (p.protocol === 'http' || p.protocol === 'auto') return 'http1'
  return 'tcp'
}

/** The workload port a service port reaches (number, or a named container port). */
export function targetPortOf(w: Pick<Workload, 'containerPorts'>, p: ServicePort): number | undefined {
  if (typeof p.targetPort === 'number') return p.targetPort
  return w.containerPorts[p.targetPort]
}

function workloadEndpoint(w: Workload, port: number): Endpoint {
  return {
    address: w.address,
    port,
    ready: w.ready,
    labels: { ...w.labels },
    workload: {
      name: w.workload,
      namespace: w.namespace,
      serviceAccount: w.serviceAccount,
      ...(w.kind === 'WorkloadEntry' ? {} : { pod: w.name }),
    },
    tlsMode: w.sidecar ? 'istio' : 'disabled',
  }
}

/** Every endpoint of a service port (before subset selection). */
export function endpointsOf(ctx: CompileContext, s: Service, p: ServicePort): Endpoint[] {
  const out: Endpoint[] = []
  if (s.staticEndpoints) {
    for (const e of s.staticEndpoints) {
      const port = e.ports[p.name] ?? (typeof p.targetPort === 'number' ? p.targetPort : p.port)
      out.push({
        address: e.address,
        port,
        ready: true,
        labels: { ...e.labels },
        ...(e.weight !== undefined ? { weight: e.weight } : {}),
        tlsMode: e.labels['security.istio.io/tlsMode'] === 'istio' ? 'istio' : 'disabled',
      })
    }
  } else if (s.selector && (s.origin === 'kubernetes' || Object.keys(s.selector).length > 0)) {
    const selector = s.selector
    for (const w of ctx.snapshot.workloadsByNamespace.get(s.namespace) ?? []) {
      if (!labelsMatch(selector, w.labels)) continue
      if (s.origin === 'kubernetes' && w.kind === 'WorkloadEntry') continue
      const port = s.origin === 'kubernetes' ? targetPortOf(w, p) : (w.containerPorts[p.name] ?? p.port)
      if (port !== undefined) out.push(workloadEndpoint(w, port))
    }
  }
  return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port))
}

/** Clusters for every visible service port and every DR subset of it. */
export function buildOutboundClusters(ctx: CompileContext): Record<string, Cluster> {
  const out: Record<string, Cluster> = {}
  for (const s of ctx.services) {
    const rule = ruleFor(ctx, s)
    for (const p of s.ports) {
      if (p.protocol === 'udp') continue
      const all = endpointsOf(ctx, s, p)
      const subsets = [{ name: '', labels: {} as Record<string, string> }, ...(rule?.subsets ?? [])]
      for (const sub of subsets) {
        const name = outboundClusterName(p.port, sub.name, s.host)
        if (out[name]) continue
        const policy = policyFor(rule, p.port, sub.name || undefined)
        const endpoints = sub.name === '' ? all : all.filter((e) => labelsMatch(sub.labels, e.labels))
        const type: Cluster['type'] =
          s.resolution === 'NONE' && !s.staticEndpoints && s.origin === 'serviceentry'
            ? 'originalDst'
            : s.resolution === 'DNS' || s.resolution === 'DNS_ROUND_ROBIN' || s.resolution === 'DYNAMIC_DNS'
              ? 'dns'
              : 'eds'
        const dnsEndpoints =
          type === 'dns' && endpoints.length === 0 && !s.host.startsWith('*')
            ? [
                {
                  address: s.host,
                  port: typeof p.targetPort === 'number' ? p.targetPort : p.port,
                  ready: true,
                  labels: {},
                },
              ]
            : endpoints
        const tls = clusterTlsFor(ctx.snapshot, policy.tls, {
          host: s.host,
          port: p.port,
          subset: sub.name,
          meshInternal: s.location === 'MESH_INTERNAL',
          endpoints,
          serviceEndpoints: all,
        })
        const outlier = outlierOf(policy)
        out[name] = {
          name,
          type,
          direction: 'outbound',
          service: serviceRef(s, p.port),
          ...(sub.name ? { subset: sub.name } : {}),
          protocol: protocolOf(p),
          endpoints: dnsEndpoints,
          lb: type === 'originalDst' ? { kind: 'PASSTHROUGH' } : loadBalancerOf(policy),
          connectTimeoutMs: connectTimeoutOf(policy, ctx.snapshot.mesh.connectTimeoutMs),
          circuitBreaker: circuitBreakerOf(policy),
          ...(outlier ? { outlierDetection: outlier } : {}),
          ...(tls ? { tls } : {}),
          ...(s.location === 'MESH_EXTERNAL' ? { external: true } : {}),
        }
      }
    }
  }
  return out
}

/** BlackHoleCluster and PassthroughCluster, present in every config. */
export function specialClusters(ctx: CompileContext): Record<string, Cluster> {
  const base = {
    direction: 'outbound' as const,
    protocol: 'tcp' as const,
    endpoints: [],
    connectTimeoutMs: ctx.snapshot.mesh.connectTimeoutMs,
    circuitBreaker: {},
  }
  return {
    [BLACKHOLE_CLUSTER]: { ...base, name: BLACKHOLE_CLUSTER, type: 'blackhole', lb: { kind: 'PASSTHROUGH' } },
    [PASSTHROUGH_CLUSTER]: {
      ...base,
      name: PASSTHROUGH_CLUSTER,
      type: 'originalDst',
      lb: { kind: 'PASSTHROUGH' },
    },
  }
}

/** The inbound cluster to the local application on `port`. */
export function inboundCluster(ctx: CompileContext, port: number, protocol: Cluster['protocol']): Cluster {
  const name = inboundClusterName(port)
  return {
    name,
    type: 'eds',
    direction: 'inbound',
    protocol,
    endpoints: [{ address: '127.0.0.1', port, ready: true, labels: {} }],
    lb: { kind: 'LEAST_REQUEST' },
    connectTimeoutMs: ctx.snapshot.mesh.connectTimeoutMs,
    circuitBreaker: {},
  }
}
