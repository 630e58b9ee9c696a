/**
 * @module compile/security/peer-authentication — the mTLS mode a workload's inbound port accepts,
 * from PeerAuthentication (and the legacy `authentication.istio.io/v1alpha1 Policy`), with Istio's
 * precedence: workload (selector) > namespace > mesh (root namespace); `UNSET` inherits; port-level
 * modes apply to the workload's target port; no policy anywhere ⇒ PERMISSIVE; ties ⇒ oldest.
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import type { ServerTls } from '../../proxyconfig/types.ts'
import {
  byAge,
  DEFAULT_ROOT_NAMESPACE,
  labelsMatch,
  namespaceOf,
  obj,
  type SecurityCompileOptions,
  selectorOf,
  type WorkloadRef,
} from './common.ts'

/** An effective peer authentication mode. */
export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE'
type ModeOrUnset = MtlsMode | 'UNSET'

/** The resolved mode and the policy that decided it (for `tls-check` and `explain`). */
export interface PeerAuthResolution {
  mode: MtlsMode
  /** The policy whose mode won; absent when no policy set one (mesh default PERMISSIVE). */
  policy?: { name: string; namespace: string; kind: string }
  level: 'workload' | 'namespace' | 'mesh' | 'default'
}

/** The effective mode for `port` (the workload's target port) of `workload`. */
export function effectivePeerAuthentication(
  policies: readonly Resource[],
  workload: WorkloadRef,
  port?: number,
  opts: SecurityCompileOptions = {},
): MtlsMode {
  return resolvePeerAuthentication(policies, workload, port, opts).mode
}

/** Like `effectivePeerAuthentication`, with the deciding policy. */
export function resolvePeerAuthentication(
  policies: readonly Resource[],
  workload: WorkloadRef,
  port?: number,
  opts: SecurityCompileOptions = {},
): PeerAuthResolution {
  const root = opts.rootNamespace ?? DEFAULT_ROOT_NAMESPACE
  const mesh: Resource[] = []
  const ns: Resource[] = []
  const wl: Resource[] = []
  for (const p of policies) {
    const kind = classify(p)
    if (!kind) continue
    const pns = kind === 'MeshPolicy' ? root : namespaceOf(p, opts)
    const selector = kind === 'PeerAuthentication' ? selectorOf(specOf(p)) : undefined
    if (kind === 'Policy' && obj(specOf(p))?.targets !== undefined) continue // service-targeted legacy policy
    if (pns === root && !selector) mesh.push(p)
    else if (pns === workload.namespace && !selector) {
      if (pns !== root) ns.push(p)
    } else if (
      pns === workload.namespace &&
      selector &&
      pns !== root &&
      labelsMatch(selector, workload.labels)
    ) {
      wl.push(p)
    }
  }
  let out: PeerAuthResolution = { mode: 'PERMISSIVE', level: 'default' }
  const apply = (p: Resource | undefined, level: PeerAuthResolution['level']): void => {
    if (!p) return
    const mode = modeOf(p, level === 'workload' ? port : undefined)
    if (mode !== 'UNSET') out = { mode, level, policy: ref(p, opts, root) }
  }
  apply(mesh.sort(byAge)[0], 'mesh')
  apply(ns.sort(byAge)[0], 'namespace')
  apply(wl.sort(byAge)[0], 'workload')
  return out
}

function classify(r: Resource): 'PeerAuthentication' | 'Policy' | 'MeshPolicy' | undefined {
  const group = r.apiVersion.split('/')[0]
  if (r.kind === 'PeerAuthentication' && group === 'security.istio.io') return 'PeerAuthentication'
  if ((r.kind === 'Policy' || r.kind === 'MeshPolicy') && group === 'authentication.istio.io') return r.kind
  return undefined
}

function ref(
  p: Resource,
  opts: SecurityCompileOptions,
  root: string,
): NonNullable<PeerAuthResolution['policy']> {
  return {
    name: p.metadata.name,
    namespace: p.kind === 'MeshPolicy' ? root : namespaceOf(p, opts),
    kind: p.kind,
  }
}

function modeOf(p: Resource, port: number | undefined): ModeOrUnset {
  const spec = specOf(p)
  if (p.kind !== 'PeerAuthentication') return legacyMode(spec)
  if (port !== undefined) {
    const portModes = obj(spec.portLevelMtls)
    const pm = portModes ? obj(portModes[String(port)]) : undefined
    const m = pm ? parseMode(pm.mode) : 'UNSET'
    if (m !== 'UNSET') return m
  }
  const mtls = obj(spec.mtls)
  return mtls ? parseMode(mtls.mode) : 'UNSET'
}

function parseMode(v: unknown): ModeOrUnset {
  return v === 'STRICT' || v === 'PERMISSIVE' || v === 'DISABLE' ? v : 'UNSET'
}

/** v1alpha1 `peers: [{mtls: {mode}}]`: `mtls: {}` / null or no mode ⇒ STRICT; no `mtls` peer ⇒ inherit. */
function legacyMode(spec: Record<string, unknown>): ModeOrUnset {
  const peers = Array.isArray(spec.peers) ? spec.peers : []
  for (const peer of peers) {
    const o = obj(peer)
    if (!o || !('mtls' in o)) continue
    const mtls = obj(o.mtls)
    const mode = mtls?.mode
    return mode === 'PERMISSIVE' ? 'PERMISSIVE' : 'STRICT'
  }
  return 'UNSET'
}

/** The listener TLS for an inbound port in `mode` (DISABLE ⇒ none: plaintext only). */
export function inboundServerTls(mode: MtlsMode): ServerTls | undefined {
  return mode === 'DISABLE' ? undefined : { mode: 'ISTIO_MUTUAL', peerAuthentication: mode }
}
