/**
 * @module analyze/analyzers/multi-service — `deployment.MultiServiceAnalyzer`: a meshed Deployment selected by
 * several Services that use one port with different protocols (IST0116), or one target port behind different
 * service ports (IST0137).
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import { type AnalysisContext, nsOf } from '../context.ts'
import { selects } from '../labels.ts'
import type { Analyzer } from '../types.ts'
import { arr, labelsOf, num, obj, str } from '../values.ts'
import { fullName } from './routes.ts'

/** Istio's `DeploymentInMesh`: a proxy container, an inject label/annotation, or an injection-enabled namespace. */
function inMesh(ctx: AnalysisContext, d: Resource): boolean {
  const template = obj(specOf(d).template)
  const meta = obj(template.metadata)
  const containers = arr(obj(template.spec).containers).map(obj)
  if (containers.some((c) => c.name === 'istio-proxy' && str(c.image) !== '')) return true
  for (const m of [labelsOf(meta.labels), labelsOf(meta.annotations)]) {
    const v = m['sidecar.istio.io/inject']
    if (v !== undefined) return v === 'true'
  }
  const ns = ctx.kind('Namespace').find((n) => n.metadata.name === nsOf(d))
  return ns?.metadata.labels?.['istio-injection'] === 'enabled'
}

export const multiServiceAnalyzer: Analyzer = {
  name: 'deployment.MultiServiceAnalyzer',
  description: 'Checks association between services and pods',
  inputs: ['Service', 'Deployment', 'Namespace'],
  needs: ['services'],
  run(ctx, report) {
    for (const d of ctx.kind('Deployment')) {
      if (d.metadata.labels?.['gateway.istio.io/managed'] === 'istio.io-mesh-controller' || !inMesh(ctx, d))
        continue
      const podLabels = labelsOf(obj(obj(specOf(d).template).metadata).labels)
      const services = ctx.kind('Service').filter((s) => {
        const sel = labelsOf(specOf(s).selector)
        return Object.keys(sel).length > 0 && nsOf(s) === nsOf(d) && selects(sel, podLabels)
      })
      const byPort = new Map<number, Map<string, string[]>>()
      const byTarget = new Map<string, Map<number, string>>()
      for (const s of services) {
        for (const p of arr(specOf(s).ports).map(obj)) {
          const port = num(p.port) ?? 0
          const protocol = str(p.protocol) || 'TCP'
          const protocols = byPort.get(port) ?? new Map<string, string[]>()
          protocols.set(protocol, [...(protocols.get(protocol) ?? []), fullName(s)])
          byPort.set(port, protocols)
          const target =
            p.targetPort === undefined || String(p.targetPort) === '0' ? String(port) : String(p.targetPort)
          const ports = byTarget.get(target) ?? new Map<number, string>()
          ports.set(port, fullName(s))
          byTarget.set(target, ports)
        }
      }
      for (const [port, protocols] of byPort) {
        if (protocols.size < 2) continue
        const svcNames = [...protocols.values()].flat().sort()
        report(d, 'IST0116', [d.metadata.name, port, svcNames], ['metadata', 'name'])
      }
      for (const [target, ports] of byTarget) {
        if (ports.size < 2) continue
        report(
          d,
          'IST0137',
          [d.metadata.name, [...ports.values()].sort(), target, [...ports.keys()].sort((a, b) => a - b)],
          ['metadata', 'name'],
        )
      }
    }
  },
}
