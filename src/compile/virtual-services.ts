/** @module compile/virtual-services — which VirtualService routes a service on a sidecar (oldest wins). */
import { hostCovers } from '../model/host.ts'
import { arr, strList } from '../model/read.ts'
import type { ConfigEntry, Service } from '../model/types.ts'
import { type CompileContext, configVisible, resolve, warn } from './context.ts'
import { boundGateways } from './route-match.ts'

/** Mesh-bound VirtualServices visible to this sidecar, with their resolved hosts, oldest first. */
export function meshVirtualServices(ctx: CompileContext): { vs: ConfigEntry; hosts: string[] }[] {
  return ctx.snapshot.virtualServices
    .filter((vs) => configVisible(vs, ctx.node.namespace) && boundGateways(vs).includes('mesh'))
    .map((vs) => ({ vs, hosts: strList(vs.spec.hosts).map((h) => resolve(ctx, h, vs.namespace)) }))
}

/**
 * The VirtualService for a service host and rule kind on a sidecar: an exact host beats a wildcard;
 * otherwise the oldest wins and the others are reported (IST0109), as Istio does not merge them.
 */
export function virtualServiceFor(
  ctx: CompileContext,
  list: { vs: ConfigEntry; hosts: string[] }[],
  svc: Service,
  kind: 'http' | 'tcp' | 'tls',
  reported: Set<string>,
): ConfigEntry | undefined {
  const cands = list
    .filter((x) => arr(x.vs.spec[kind]).length > 0 && x.hosts.some((h) => hostCovers(h, svc.host)))
    .map((x) => ({ vs: x.vs, exact: x.hosts.includes(svc.host) }))
  if (cands.length === 0) return undefined
  cands.sort((a, b) => Number(b.exact) - Number(a.exact) || a.vs.rank - b.vs.rank)
  const winner = cands[0]?.vs
  for (const c of cands.slice(1)) {
    if (c.exact !== cands[0]?.exact) continue
    const key = `${c.vs.key}|${svc.host}`
    if (reported.has(key) || !winner) continue
    reported.add(key)
    warn(
      ctx,
      c.vs,
      'IST0109',
      `The VirtualServices ${winner.key},${c.vs.key} associated with mesh gateway define the same host ${svc.host} which can lead to undefined behavior; ${c.vs.key} is ignored for it on sidecars`,
      ['hosts'],
    )
  }
  return winner
}
