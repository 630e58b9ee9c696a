/** @module controlplane/store/updates — what an update may not change: allocated fields, and what counts as a spec change. */
import type { KindInfo } from '../../api/kinds.ts'
import { isObject } from './merge.ts'
import type { KubeObject } from './types.ts'

/**
 * Fields the cluster allocates stay when an update leaves them out, as the API server defaults them
 * from the old object: a Service's clusterIP(s) and nodePorts.
 */
export function keepAllocated(info: KindInfo, live: KubeObject, next: KubeObject): void {
  if (info.group !== '' || info.kind !== 'Service' || !isObject(live.spec) || !isObject(next.spec)) return
  for (const f of ['clusterIP', 'clusterIPs']) {
    if (next.spec[f] === undefined && live.spec[f] !== undefined) next.spec[f] = structuredClone(live.spec[f])
  }
  const livePorts = Array.isArray(live.spec.ports) ? live.spec.ports : []
  if (!Array.isArray(next.spec.ports)) return
  for (const p of next.spec.ports) {
    if (!isObject(p) || p.nodePort !== undefined) continue
    const old = livePorts.find(
      (q) => isObject(q) && q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'),
    )
    if (isObject(old) && old.nodePort !== undefined) p.nodePort = old.nodePort
  }
}

/** The content that bumps generation: everything but metadata and status. */
export function content(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj
  return rest
}
