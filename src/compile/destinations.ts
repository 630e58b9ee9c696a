/** @module compile/destinations — route destinations → weighted backends and mirrors (cluster names). */
import { arr, num, obj, str } from '../model/read.ts'
import type { ConfigEntry, Service } from '../model/types.ts'
import type { MirrorPolicy, WeightedBackend } from '../proxyconfig/types.ts'
import { outboundClusterName } from './clusters.ts'
import { type CompileContext, resolve, serviceForHost, warn } from './context.ts'
import { ruleFor } from './destination-rule.ts'
import { convertHeaders, mirrorPercent } from './policy.ts'

/** Resolves a Destination to its cluster name (which may deliberately not exist ⇒ 503 NC). */
export function destinationCluster(
  ctx: CompileContext,
  vs: ConfigEntry,
  dest: Record<string, unknown>,
  listenerPort: number,
): { cluster: string; service?: Service; subset: string } {
  const host = resolve(ctx, str(dest.host) ?? '', vs.namespace)
  const svc = serviceForHost(ctx, host)
  const subset = str(dest.subset) ?? ''
  const explicit = num(obj(dest.port)?.number)
  const port = explicit ?? (svc && svc.ports.length === 1 ? svc.ports[0]?.port : undefined) ?? listenerPort
  const clusterHost = svc ? svc.host : host
  return { cluster: outboundClusterName(port, subset, clusterHost), ...(svc ? { service: svc } : {}), subset }
}

/** IST0101 when a destination names no known service, or a subset no DestinationRule defines (503 NC). */
function checkDestination(
  ctx: CompileContext,
  vs: ConfigEntry,
  dest: Record<string, unknown>,
  target: ReturnType<typeof destinationCluster>,
  path: (string | number)[],
): void {
  const host = str(dest.host) ?? ''
  if (!target.service) {
    warn(ctx, vs, 'IST0101', `Referenced host not found: "${host}"`, [...path, 'host'])
    return
  }
  const port = num(obj(dest.port)?.number)
  if (port !== undefined && !target.service.ports.some((p) => p.port === port)) {
    warn(ctx, vs, 'IST0101', `Referenced host:port not found: "${host}:${port}"`, [...path, 'port', 'number'])
    return
  }
  if (target.subset && !ruleFor(ctx, target.service)?.subsets.some((x) => x.name === target.subset))
    warn(
      ctx,
      vs,
      'IST0101',
      `Referenced host+subset in destinationrule not found: "${host}+${target.subset}"`,
      [...path, 'subset'],
    )
}

export function backends(
  ctx: CompileContext,
  vs: ConfigEntry,
  rule: Record<string, unknown>,
  port: number,
  at: (string | number)[] = [],
): WeightedBackend[] {
  const dests = arr(rule.route)
  const list = dests.flatMap((raw, k) => {
    const d = obj(raw)
    if (!d) return []
    const dest = obj(d.destination) ?? {}
    const target = destinationCluster(ctx, vs, dest, port)
    checkDestination(ctx, vs, dest, target, [...at, 'route', k, 'destination'])
    const { ops } = convertHeaders(d.headers)
    return [{ cluster: target.cluster, weight: num(d.weight) ?? 0, ...(ops ? { headers: ops } : {}) }]
  })
  if (list.length === 1 && list[0]) return [{ ...list[0], weight: 100 }]
  const total = list.reduce((a, b) => a + Math.max(0, b.weight), 0)
  if (total <= 0) return list.map((b) => ({ ...b, weight: 1 }))
  return list.filter((b) => b.weight > 0)
}

/** Mirror policies (`mirror` + percentage, `mirrors[]`); unknown hosts mirror nothing. */
export function mirrors(
  ctx: CompileContext,
  vs: ConfigEntry,
  rule: Record<string, unknown>,
  port: number,
): MirrorPolicy[] {
  const out: MirrorPolicy[] = []
  const add = (dest: Record<string, unknown> | undefined, percentage: number): void => {
    if (!dest || percentage <= 0) return
    const d = destinationCluster(ctx, vs, dest, port)
    if (!d.service) return
    out.push({ cluster: d.cluster, percentage, shadowHostSuffix: false })
  }
  add(obj(rule.mirror), mirrorPercent(rule))
  for (const m of arr(rule.mirrors)) {
    const o = obj(m)
    const v = num(obj(o?.percentage)?.value)
    add(obj(o?.destination), v === undefined ? 100 : Math.min(100, v))
  }
  return out
}
