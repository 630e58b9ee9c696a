/**
 * @module compile/explain-snapshot — `explain(snapshot, node, request)`: compile for the caller, simulate
 * the request, and add the rules Istio drops at config time for this caller (sourceLabels,
 * sourceNamespace, gateways, port), so the explanation says why those never matched either.
 */
import { arr, labelsMatch, num, obj, str, strList, strMap } from '../model/read.ts'
import type { ConfigEntry, MeshSnapshot } from '../model/types.ts'
import { compileProxy } from './compile-proxy.ts'
import { type CompileContext, createContext, serviceForHost } from './context.ts'
import { type ExplainRequest, type Explanation, explainRequest, type SkippedRule } from './explain.ts'
import type { ProxyNode } from './node.ts'
import { boundGateways, matchApplies, type RouteScope } from './route-match.ts'
import { meshVirtualServices, virtualServiceFor } from './virtual-services.ts'

/** Why a match block does not apply to this proxy (config time), or undefined when it does. */
export function configTimeReason(
  ctx: CompileContext,
  vs: ConfigEntry,
  m: Record<string, unknown>,
  scope: RouteScope,
): string | undefined {
  if (matchApplies(ctx, vs, m, scope)) return undefined
  const port = num(m.port)
  if (port !== undefined && port !== scope.port)
    return `match.port ${port} is not the port of this listener (${scope.port})`
  const own = strList(m.gateways)
  const gws = own.length > 0 ? boundGateways(vs, m.gateways) : boundGateways(vs)
  const me = scope.gateway ?? 'mesh'
  if (!gws.includes(me)) return `bound to ${gws.join(', ')}, not to ${me === 'mesh' ? 'sidecars (mesh)' : me}`
  const src = obj(m.sourceLabels)
  if (src && !labelsMatch(strMap(src), ctx.node.labels)) {
    const want = Object.entries(strMap(src)).map(([k, v]) => `${k}=${v}`)
    return `sourceLabels ${want.join(',')} do not select the caller (${
      Object.entries(ctx.node.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || 'no labels'
    })`
  }
  const ns = str(m.sourceNamespace)
  if (ns !== undefined) return `sourceNamespace ${ns} is not the caller's namespace ${ctx.node.namespace}`
  return 'does not apply to this proxy'
}

function relevantVirtualService(ctx: CompileContext, e: Explanation): ConfigEntry | undefined {
  const key = e.virtualService ?? e.skipped.find((s) => s.virtualService)?.virtualService
  if (key) return ctx.snapshot.virtualServices.find((v) => v.key === key)
  if (ctx.node.role !== 'sidecar') return undefined
  const host = e.virtualHost?.replace(/:\d+$/, '') ?? e.request.authority.replace(/:\d+$/, '')
  const svc =
    serviceForHost(ctx, host) ??
    ctx.services.find((s) => s.name === host && s.namespace === ctx.node.namespace)
  if (!svc) return undefined
  return virtualServiceFor(
    ctx,
    meshVirtualServices(ctx),
    svc,
    e.request.protocol === 'tcp' ? 'tcp' : 'http',
    new Set(),
  )
}

/**
 * Explains a request as `node` would send (sidecar) or receive (gateway) it, including the rules of the
 * VirtualService involved that were dropped for this caller at config time.
 */
export function explain(snapshot: MeshSnapshot, node: ProxyNode, req: ExplainRequest): Explanation {
  const { config } = compileProxy(snapshot, node)
  const e = explainRequest(config, req)
  const ctx = createContext(snapshot, node)
  const vs = relevantVirtualService(ctx, e)
  if (!vs) return e
  const gateway = node.role === 'gateway' ? gatewayOf(snapshot, node, vs) : null
  const kind = e.request.protocol === 'tcp' ? 'tcp' : 'http'
  const scope: RouteScope = {
    port: e.request.port,
    ...(gateway ? { gateway } : {}),
  }
  const dropped: SkippedRule[] = []
  arr(vs.spec[kind]).forEach((rule, i) => {
    arr(obj(rule)?.match).forEach((m, j) => {
      const mo = obj(m)
      if (!mo) return
      const reason = configTimeReason(ctx, vs, mo, scope)
      if (reason)
        dropped.push({ virtualService: vs.key, rule: i, match: j, reasons: [reason], stage: 'config' })
    })
  })
  const before = (s: SkippedRule): boolean =>
    e.rule === null || (s.rule ?? 0) < e.rule || ((s.rule ?? 0) === e.rule && (s.match ?? 0) < (e.match ?? 0))
  const skipped = [...e.skipped, ...dropped.filter(before)].sort(
    (a, b) => (a.rule ?? -1) - (b.rule ?? -1) || (a.match ?? -1) - (b.match ?? -1),
  )
  return { ...e, gateway, skipped }
}

/** The `ns/name` of the Gateway (selecting this gateway proxy) the VirtualService is bound to. */
function gatewayOf(snapshot: MeshSnapshot, node: ProxyNode, vs: ConfigEntry): string {
  const bound = boundGateways(vs)
  const gw = snapshot.gateways.find((g) => {
    const sel = obj(g.spec.selector)
    return bound.includes(`${g.namespace}/${g.name}`) && (!sel || labelsMatch(strMap(sel), node.labels))
  })
  return gw ? `${gw.namespace}/${gw.name}` : (bound[0] ?? 'mesh')
}
