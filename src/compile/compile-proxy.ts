/** @module compile/compile-proxy — compileProxy(snapshot, node) → the ProxyConfig one proxy runs on. */
import type { Diagnostic } from '../api/diagnostics.ts'
import type { MeshSnapshot } from '../model/types.ts'
import type { Cluster, Listener, ProxyConfig, RouteTable } from '../proxyconfig/types.ts'
import { withVersion } from '../proxyconfig/version.ts'
import { buildOutboundClusters, specialClusters } from './clusters.ts'
import { createContext } from './context.ts'
import { buildGateway } from './gateway.ts'
import type { ProxyNode } from './node.ts'
import { authzFor } from './security/compile-glue.ts'
import { buildSidecarInbound, buildSidecarOutbound } from './sidecar.ts'

/** The compiled config and what compiling found. */
export interface CompileResult {
  config: ProxyConfig
  diagnostics: Diagnostic[]
}

function sortRecord<T>(r: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {}
  for (const k of Object.keys(r).sort()) out[k] = r[k] as T
  return out
}

/**
 * Compiles the config of one proxy. Pure and deterministic: a function of the snapshot and the node
 * only (no clock, no randomness, no I/O); lists come out sorted, so equal inputs give equal versions.
 */
export function compileProxy(snapshot: MeshSnapshot, node: ProxyNode): CompileResult {
  const ctx = createContext(snapshot, node)
  const mesh = snapshot.mesh
  let listeners: Listener[] = []
  let routeTables: Record<string, RouteTable> = {}
  let clusters: Record<string, Cluster> = { ...specialClusters(ctx), ...buildOutboundClusters(ctx) }
  if (node.role === 'gateway') {
    const gw = buildGateway(ctx)
    listeners = gw.listeners
    routeTables = gw.routeTables
  } else {
    const out = buildSidecarOutbound(ctx)
    const inb = buildSidecarInbound(ctx)
    listeners = [...out.listeners, ...inb.listeners]
    routeTables = { ...out.routeTables, ...inb.routeTables }
    clusters = { ...clusters, ...inb.clusters }
  }
  listeners.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const sa = node.serviceAccount ?? 'default'
  const compiledAuthz = authzFor(snapshot, node)
  const authz = compiledAuthz ? { authz: compiledAuthz } : {}
  const config = withVersion({
    node: {
      id: `${node.name}.${node.namespace}`,
      role: node.role,
      namespace: node.namespace,
      workload: node.workload ?? node.name,
      labels: sortRecord(node.labels),
      serviceAccount: sa,
      identity: `spiffe://${mesh.trustDomain}/ns/${node.namespace}/sa/${sa}`,
    },
    mesh: {
      outboundTrafficPolicy: ctx.outboundTrafficPolicy,
      trustDomain: mesh.trustDomain,
      accessLog: {
        enabled: mesh.accessLogFile !== '',
        format: mesh.accessLogEncoding === 'JSON' ? 'json' : 'text',
      },
      connectTimeoutMs: mesh.connectTimeoutMs,
      tracing: {
        samplingPercent: mesh.tracingSamplingPercent,
        ...(mesh.zipkinUrl ? { zipkinUrl: mesh.zipkinUrl } : {}),
      },
    },
    listeners,
    routeTables: sortRecord(routeTables),
    clusters: sortRecord(clusters),
    ...authz,
  })
  const seen = new Set<string>()
  const diagnostics = ctx.diagnostics.filter((d) => {
    const k = `${d.code}|${d.message}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
  return { config, diagnostics }
}
