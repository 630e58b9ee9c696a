/**
 * @module runtime/up/mesh-source — the config each proxy should run: the store's objects as one snapshot
 * (rebuilt when the store changed), compiled for the proxy's node.
 */
import type { Resource } from '../../api/resource.ts'
import { compileProxy } from '../../compile/compile-proxy.ts'
import { ingressGatewayNode, type ProxyNode, sidecarNodeFor } from '../../compile/node.ts'
import { buildSnapshot } from '../../model/snapshot.ts'
import type { MeshSnapshot } from '../../model/types.ts'
import type { ProxyConfig } from '../../proxyconfig/types.ts'
import type { KubeObject } from '../kube.ts'

/** The store as the compiler needs it. */
export interface SnapshotSource {
  resourceVersion(): string
  listAll(): KubeObject[]
}

/** A push node as the proxy announced it. */
export interface AnnouncedNode {
  id: string
  role?: 'sidecar' | 'gateway'
  labels?: Record<string, string>
  workload?: string
  serviceAccount?: string
}

/** Returns `configFor(node)` over a store. */
export function createConfigSource(source: SnapshotSource): (node: AnnouncedNode) => ProxyConfig {
  let cached: { rv: string; snapshot: MeshSnapshot } | undefined
  const snapshot = (): MeshSnapshot => {
    const rv = source.resourceVersion()
    if (cached?.rv !== rv) {
      const resources: Resource[] = source.listAll().map((o) => ({
        apiVersion: o.apiVersion,
        kind: o.kind,
        metadata: o.metadata as Resource['metadata'],
        body: o as Record<string, unknown>,
      }))
      cached = { rv, snapshot: buildSnapshot(resources) }
    }
    return cached.snapshot
  }
  return (n) => {
    const dot = n.id.indexOf('.')
    const pod = dot > 0 ? n.id.slice(0, dot) : n.id
    const namespace = dot > 0 ? n.id.slice(dot + 1) : 'default'
    const snap = snapshot()
    let node: ProxyNode
    if (n.role === 'gateway')
      node = { ...ingressGatewayNode(pod), namespace, labels: n.labels ?? ingressGatewayNode().labels }
    else {
      node = sidecarNodeFor(snap, pod, namespace) ?? {
        role: 'sidecar',
        name: pod,
        namespace,
        labels: n.labels ?? {},
        ...(n.serviceAccount ? { serviceAccount: n.serviceAccount } : {}),
        ...(n.workload ? { workload: n.workload } : {}),
      }
    }
    return compileProxy(snap, node).config
  }
}
