/** @module compile/sidecar-scope — the Sidecar resource that applies to a proxy: egress hosts and outbound policy. */
import { hostCovers } from '../model/host.ts'
import { arr, labelsMatch, obj, str, strList, strMap } from '../model/read.ts'
import type { ConfigEntry, MeshSnapshot, Service } from '../model/types.ts'
import type { ProxyNode } from './node.ts'

/** What a Sidecar resource changes for one proxy. */
export interface SidecarScope {
  /** `Sidecar namespace/name`, when one applies. */
  source?: string
  /** Egress host patterns `{ namespace, host }` (`*` any namespace); absent ⇒ every service. */
  egress?: { namespace: string; host: string }[]
  outboundTrafficPolicy?: 'ALLOW_ANY' | 'REGISTRY_ONLY'
}

/**
 * The Sidecar for a workload: one in its namespace whose `workloadSelector` selects it (oldest first),
 * else its namespace's default (no selector), else the mesh default in the root namespace.
 */
export function sidecarScope(snapshot: MeshSnapshot, node: ProxyNode): SidecarScope {
  if (node.role !== 'sidecar') return {}
  const sel = (s: ConfigEntry) => obj(obj(s.spec.workloadSelector)?.labels)
  const list = snapshot.sidecars
  const chosen =
    list.find((s) => s.namespace === node.namespace && sel(s) && labelsMatch(strMap(sel(s)), node.labels)) ??
    list.find((s) => s.namespace === node.namespace && !sel(s)) ??
    list.find((s) => s.namespace === snapshot.mesh.rootNamespace && !sel(s))
  if (!chosen) return {}
  const out: SidecarScope = { source: `Sidecar ${chosen.namespace}/${chosen.name}` }
  const egress = arr(chosen.spec.egress).flatMap((e) => strList(obj(e)?.hosts))
  if (arr(chosen.spec.egress).length > 0) {
    out.egress = egress.map((h) => {
      const i = h.indexOf('/')
      const ns = i < 0 ? '*' : h.slice(0, i)
      return { namespace: ns === '.' ? node.namespace : ns, host: (i < 0 ? h : h.slice(i + 1)).toLowerCase() }
    })
  }
  const mode = str(obj(chosen.spec.outboundTrafficPolicy)?.mode)?.toUpperCase()
  if (mode === 'ALLOW_ANY' || mode === 'REGISTRY_ONLY') out.outboundTrafficPolicy = mode
  else if (obj(chosen.spec.outboundTrafficPolicy)) out.outboundTrafficPolicy = 'REGISTRY_ONLY'
  return out
}

/** True when the Sidecar's egress hosts let the proxy see the service (`~` matches nothing). */
export function egressAllows(scope: SidecarScope, svc: Service): boolean {
  if (!scope.egress) return true
  return scope.egress.some(
    (e) =>
      e.namespace !== '~' &&
      (e.namespace === '*' || e.namespace === svc.namespace) &&
      hostCovers(e.host, svc.host),
  )
}
