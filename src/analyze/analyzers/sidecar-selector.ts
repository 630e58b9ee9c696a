/**
 * @module analyze/analyzers/sidecar-selector — `sidecar.SelectorAnalyzer`: a Sidecar's workload selector must
 * match a pod of its namespace (IST0101); one pod selected by several Sidecars (IST0110), several Sidecars
 * without selector in one namespace (IST0111), and Sidecars that ambient mode makes ineffective (IST0167).
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import { nsOf, type PodView } from '../context.ts'
import { selectorString, selects } from '../labels.ts'
import type { Analyzer } from '../types.ts'
import { labelsOf, obj } from '../values.ts'

const names = (list: readonly Resource[]): string[] => list.map((r) => r.metadata.name).sort()

function namespaceInAmbient(ns: Resource | undefined): boolean {
  const labels = ns?.metadata.labels ?? {}
  if (!ns || labels['istio-injection'] === 'enabled' || (labels['istio.io/rev'] ?? '') !== '') return false
  return labels['istio.io/dataplane-mode'] === 'ambient'
}

export const sidecarSelectorAnalyzer: Analyzer = {
  name: 'sidecar.SelectorAnalyzer',
  description:
    "Validates that sidecars that define a workload selector match at least one pod, and that there aren't multiple sidecar resources that select overlapping pods",
  inputs: ['Sidecar', 'Pod', 'Namespace'],
  needs: ['pods'],
  run(ctx, report) {
    const podSidecars = new Map<PodView, Resource[]>()
    const nsSidecars = new Map<string, Resource[]>()
    for (const sc of ctx.kind('Sidecar')) {
      const selector = labelsOf(obj(specOf(sc).workloadSelector).labels)
      if (Object.keys(selector).length === 0) {
        nsSidecars.set(nsOf(sc), [...(nsSidecars.get(nsOf(sc)) ?? []), sc])
        continue
      }
      let found = false
      for (const pod of ctx.pods) {
        if (pod.namespace !== nsOf(sc) || !selects(selector, pod.labels)) continue
        found = true
        podSidecars.set(pod, [...(podSidecars.get(pod) ?? []), sc])
      }
      if (!found)
        report(sc, 'IST0101', ['selector', selectorString(selector)], ['spec', 'workloadSelector', 'labels'])
    }
    const reported = new Set<Resource>()
    for (const [pod, list] of podSidecars) {
      const ambient = pod.annotations['ambient.istio.io/redirection'] === 'enabled'
      if (list.length === 1 && !ambient) continue
      for (const sc of list) {
        if (ambient) {
          if (!reported.has(sc))
            report(sc, 'IST0167', ['selected workload is in ambient mode, the policy has no impact'])
          reported.add(sc)
          continue
        }
        report(sc, 'IST0110', [names(list), pod.namespace, pod.name], ['metadata', 'name'])
      }
    }
    for (const [ns, list] of nsSidecars) {
      const nsObj = ctx.kind('Namespace').find((n) => n.metadata.name === ns)
      if (namespaceInAmbient(nsObj)) {
        for (const sc of list) {
          if (!reported.has(sc))
            report(sc, 'IST0167', ['namespace is in ambient mode, the policy has no impact'])
          reported.add(sc)
        }
        continue
      }
      if (list.length > 1) for (const sc of list) report(sc, 'IST0111', [names(list), ns])
    }
  },
}
