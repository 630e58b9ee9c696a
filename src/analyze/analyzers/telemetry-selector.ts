/**
 * @module analyze/analyzers/telemetry-selector — `telemetry.SelectorAnalyzer`: a Telemetry selector must match
 * a pod of its namespace (IST0101), and no pod may be selected by two Telemetries (IST0159).
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import { nsOf, type PodView } from '../context.ts'
import { selectorString, selects } from '../labels.ts'
import type { Analyzer } from '../types.ts'
import { labelsOf, obj } from '../values.ts'

const names = (list: readonly Resource[]): string[] => list.map((r) => r.metadata.name).sort()

export const telemetrySelectorAnalyzer: Analyzer = {
  name: 'telemetry.SelectorAnalyzer',
  description:
    "Validates that telemetries that define a selector match at least one pod, and that there aren't multiple telemetry resources that select overlapping pods",
  inputs: ['Telemetry', 'Pod'],
  needs: ['pods'],
  run(ctx, report) {
    const byPod = new Map<PodView, Resource[]>()
    for (const t of ctx.kind('Telemetry')) {
      const selector = labelsOf(obj(specOf(t).selector).matchLabels)
      if (Object.keys(selector).length === 0) continue
      let found = false
      for (const pod of ctx.pods) {
        if (pod.namespace !== nsOf(t) || !selects(selector, pod.labels)) continue
        found = true
        byPod.set(pod, [...(byPod.get(pod) ?? []), t])
      }
      if (!found)
        report(t, 'IST0101', ['selector', selectorString(selector)], ['spec', 'selector', 'matchLabels'])
    }
    for (const [pod, list] of byPod) {
      if (list.length < 2) continue
      for (const t of list) report(t, 'IST0159', [names(list), pod.namespace, pod.name], ['metadata', 'name'])
    }
  },
}
