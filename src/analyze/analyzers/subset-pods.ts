/**
 * @module analyze/analyzers/subset-pods — `destinationrule.SubsetSelectPodAnalyzer`: a DestinationRule's host
 * must be a known service (IST0174), and each subset must select some pod (IST0173, "503 UH" at run time).
 * Pod labels are augmented with the topology labels of their node, as Istio does.
 */
import { specOf } from '../../api/resource.ts'
import { nsOf, type PodView } from '../context.ts'
import { selects } from '../labels.ts'
import type { Analyzer } from '../types.ts'
import { arr, labelsOf, obj, str, strs } from '../values.ts'

const TOPOLOGY = ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone']

export const subsetPodsAnalyzer: Analyzer = {
  name: 'destinationrule.SubsetSelectPodAnalyzer',
  description: 'Checks if pods are selected by subsets in destination rules.',
  inputs: ['DestinationRule', 'Pod', 'Service', 'ServiceEntry', 'Node'],
  needs: ['services'],
  run(ctx, report) {
    const podLabels = ctx.pods.map((p) => augmented(p, ctx.nodes))
    for (const dr of ctx.kind('DestinationRule')) {
      const spec = specOf(dr)
      const host = str(spec.host)
      const svc = ctx.destinationService(nsOf(dr), strs(spec.exportTo), host)
      if (!svc) {
        report(dr, 'IST0174', [host], ['spec', 'host'])
        continue
      }
      // Offline, with no Pod or Deployment in the input, nothing can be said about subsets.
      if (!ctx.has('pods')) continue
      arr(spec.subsets).forEach((s, i) => {
        const selector = { ...svc.workloadSelector, ...labelsOf(obj(s).labels) }
        if (!podLabels.some((l) => selects(selector, l))) {
          report(dr, 'IST0173', [str(obj(s).name)], ['spec', 'subsets', i, 'name'])
        }
      })
    }
  },
}

function augmented(
  pod: PodView,
  nodes: ReadonlyMap<string, Readonly<Record<string, string>>>,
): Record<string, string> {
  const out = { ...pod.labels }
  const node = nodes.get(pod.nodeName)
  if (node) {
    for (const l of TOPOLOGY) if (node[l] && out[l] === undefined) out[l] = node[l]
  }
  if (pod.nodeName !== '' && out['kubernetes.io/hostname'] === undefined)
    out['kubernetes.io/hostname'] = pod.nodeName
  return out
}
