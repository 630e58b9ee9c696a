/** @module model/mesh-config — mesh settings from ConfigMap `istio` (namespace `istio-system`, key `mesh`). */
import { parse } from 'yaml'
import type { Diagnostic } from '../api/diagnostics.ts'
import { posOf, type Resource } from '../api/resource.ts'
import { parseDurationMs } from './duration.ts'
import { num, obj, str } from './read.ts'
import type { MeshConfig } from './types.ts'

/** Istio's defaults (`DefaultMeshConfig`). */
export const DEFAULT_MESH: MeshConfig = {
  outboundTrafficPolicy: 'ALLOW_ANY',
  trustDomain: 'cluster.local',
  enableAutoMtls: true,
  accessLogFile: '',
  accessLogEncoding: 'TEXT',
  connectTimeoutMs: 10_000,
  rootNamespace: 'istio-system',
  tracingSamplingPercent: 1,
}

/** Reads the mesh config from the `istio` ConfigMap when present; defaults otherwise. */
export function readMeshConfig(resources: readonly Resource[], diagnostics: Diagnostic[]): MeshConfig {
  const cm = resources.find(
    (r) => r.kind === 'ConfigMap' && r.metadata.name === 'istio' && r.metadata.namespace === 'istio-system',
  )
  const text = cm ? str(obj(cm.body.data)?.mesh) : undefined
  if (!cm || text === undefined) return { ...DEFAULT_MESH }
  let raw: unknown
  try {
    raw = parse(text)
  } catch (err) {
    const pos = posOf(cm, ['data', 'mesh'])
    diagnostics.push({
      code: 'WEIR2001',
      severity: 'Error',
      message: `mesh config in ConfigMap istio-system/istio does not parse: ${(err as Error).message.split('\n')[0]}`,
      resource: { kind: 'ConfigMap', namespace: 'istio-system', name: 'istio' },
      path: 'data.mesh',
      ...(pos ? { source: pos } : {}),
    })
    return { ...DEFAULT_MESH }
  }
  const m = obj(raw) ?? {}
  const mode = str(obj(m.outboundTrafficPolicy)?.mode)?.toUpperCase()
  const out: MeshConfig = {
    ...DEFAULT_MESH,
    outboundTrafficPolicy: mode === 'REGISTRY_ONLY' ? 'REGISTRY_ONLY' : 'ALLOW_ANY',
    trustDomain: str(m.trustDomain) || DEFAULT_MESH.trustDomain,
    enableAutoMtls: !(m.enableAutoMtls === false || m.enableAutoMtls === 'false'),
    accessLogFile: str(m.accessLogFile) ?? '',
    accessLogEncoding: str(m.accessLogEncoding)?.toUpperCase() === 'JSON' ? 'JSON' : 'TEXT',
    connectTimeoutMs: parseDurationMs(m.connectTimeout) ?? DEFAULT_MESH.connectTimeoutMs,
    rootNamespace: str(m.rootNamespace) || DEFAULT_MESH.rootNamespace,
  }
  const tracing = obj(obj(m.defaultConfig)?.tracing)
  const sampling = num(tracing?.sampling)
  out.tracingSamplingPercent =
    m.enableTracing === false ? 0 : sampling !== undefined ? Math.min(100, Math.max(0, sampling)) : 1
  const zipkin = str(obj(tracing?.zipkin)?.address)
  if (zipkin) out.zipkinUrl = zipkin.includes('://') ? zipkin : `http://${zipkin}/api/v2/spans`
  const retry = obj(m.defaultHttpRetryPolicy)
  if (retry) out.defaultHttpRetryPolicy = retry
  return out
}
