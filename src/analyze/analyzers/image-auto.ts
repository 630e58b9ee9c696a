/**
 * @module analyze/analyzers/image-auto — `injection.ImageAutoAnalyzer`: `image: auto` on an istio-proxy
 * container only works when the injector rewrites it: a Pod with it (IST0147), or a Deployment no Istio
 * injection webhook selects (IST0146).
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import { labelSelectorMatches } from '../labels.ts'
import type { Analyzer } from '../types.ts'
import { arr, labelsOf, obj, str } from '../values.ts'

function hasAutoImage(podSpec: Record<string, unknown>): boolean {
  return arr(podSpec.containers).some((c) => obj(c).name === 'istio-proxy' && obj(c).image === 'auto')
}

export const imageAutoAnalyzer: Analyzer = {
  name: 'injection.ImageAutoAnalyzer',
  description: 'Makes sure that Pods and Deployments with `image: auto` are going to be injected',
  inputs: ['Namespace', 'Pod', 'Deployment', 'MutatingWebhookConfiguration'],
  run(ctx, report) {
    const hooks = ctx
      .kind('MutatingWebhookConfiguration')
      .flatMap((r) => arr(r.body.webhooks).map(obj))
      .filter((h) => str(h.name).endsWith('istio.io'))
    for (const pod of ctx.kind('Pod')) {
      if (hasAutoImage(specOf(pod))) report(pod, 'IST0147', ['Pod', pod.metadata.name])
    }
    for (const d of ctx.kind('Deployment')) {
      const template = obj(specOf(d).template)
      if (!hasAutoImage(obj(template.spec))) continue
      const nsName = d.metadata.namespace || 'default'
      const ns: Resource | undefined = ctx.kind('Namespace').find((n) => n.metadata.name === nsName)
      const nsLabels = ns?.metadata.labels ?? {}
      const podLabels = labelsOf(obj(template.metadata).labels)
      const injected = hooks.some(
        (h) =>
          labelSelectorMatches(h.namespaceSelector, nsLabels) &&
          labelSelectorMatches(h.objectSelector, podLabels),
      )
      if (!injected) report(d, 'IST0146', ['Deployment', d.metadata.name])
    }
  },
}
