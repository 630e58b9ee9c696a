/** @module compile/mtls — the effective PeerAuthentication mode of a workload port. */
import { labelsMatch, num, obj, str, strMap } from '../model/read.ts'
import type { ConfigEntry, MtlsMode } from '../model/types.ts'
import type { CompileContext } from './context.ts'

function modeOf(v: unknown): MtlsMode | undefined {
  const m = str(obj(v)?.mode)?.toUpperCase()
  return m === 'STRICT' || m === 'PERMISSIVE' || m === 'DISABLE' ? m : undefined
}

/**
 * Workload policy (selector matches, same namespace; `portLevelMtls` by target port) > namespace policy
 * (no selector) > mesh policy (root namespace, no selector) > PERMISSIVE. UNSET inherits; ties go to
 * the oldest policy.
 */
export function mtlsModeFor(ctx: CompileContext, targetPort: number): MtlsMode {
  const root = ctx.snapshot.mesh.rootNamespace
  const pas = ctx.snapshot.peerAuthentications
  const sel = (p: ConfigEntry): Record<string, unknown> | undefined => obj(p.spec.selector)
  const workload = pas.find(
    (p) =>
      p.namespace === ctx.node.namespace &&
      sel(p) !== undefined &&
      labelsMatch(strMap(sel(p)?.matchLabels), ctx.node.labels),
  )
  if (workload) {
    for (const [k, v] of Object.entries(obj(workload.spec.portLevelMtls) ?? {}))
      if (num(k) === targetPort && modeOf(v)) return modeOf(v) as MtlsMode
    const m = modeOf(workload.spec.mtls)
    if (m) return m
  }
  const ns = pas.find((p) => p.namespace === ctx.node.namespace && sel(p) === undefined)
  const nsMode = ns ? modeOf(ns.spec.mtls) : undefined
  if (nsMode) return nsMode
  const mesh = pas.find((p) => p.namespace === root && sel(p) === undefined)
  return (mesh ? modeOf(mesh.spec.mtls) : undefined) ?? 'PERMISSIVE'
}
