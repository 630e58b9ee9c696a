/**
 * @module analyze/analyzers/webhooks — `webhook.Analyzer`: Istio injection webhooks whose selectors overlap
 * (a pod would be injected twice) or that point at a control plane Service that does not exist (IST0139).
 */
import type { Resource } from '../../api/resource.ts'
import { labelSelectorMatches } from '../labels.ts'
import type { Analyzer } from '../types.ts'
import { arr, labelsOf, obj, str } from '../values.ts'
import { fullName } from './routes.ts'

const REV = 'istio.io/rev'

function revisions(r: Resource): string[] {
  const out = new Set<string>()
  const l = r.metadata.labels?.[REV]
  if (l !== undefined) out.add(l)
  for (const h of arr(r.body.webhooks).map(obj)) {
    for (const sel of [h.namespaceSelector, h.objectSelector]) {
      if (sel === undefined || sel === null) continue
      const v = labelsOf(obj(sel).matchLabels)[REV]
      if (v !== undefined) out.add(v)
      for (const e of arr(obj(sel).matchExpressions).map(obj)) {
        if (e.key === REV) for (const x of arr(e.values)) out.add(String(x))
      }
    }
  }
  return [...out]
}

export const webhookAnalyzer: Analyzer = {
  name: 'webhook.Analyzer',
  description: 'Checks the validity of Istio webhooks',
  inputs: ['MutatingWebhookConfiguration', 'Service'],
  run(ctx, report) {
    const hooks: { id: string; r: Resource; h: Record<string, unknown> }[] = []
    const revs = new Set<string>()
    for (const r of ctx.kind('MutatingWebhookConfiguration')) {
      const rv = revisions(r)
      const webhooks = arr(r.body.webhooks).map(obj)
      if (rv.length === 0 && !webhooks.some((w) => str(w.name).endsWith('istio.io'))) continue
      for (const h of webhooks) hooks.push({ id: `${fullName(r)}/${str(h.name)}`, r, h })
      for (const x of rv) revs.add(x)
    }
    const variants = (base: Record<string, string>[]): Record<string, string>[] => [
      ...base,
      ...[...revs].flatMap((rev) => base.map((b) => ({ ...b, [REV]: rev }))),
    ]
    const nsLabels = variants([{}, { 'istio-injection': 'enabled' }, { 'istio-injection': 'disabled' }])
    const objLabels = variants([
      {},
      { 'sidecar.istio.io/inject': 'true' },
      { 'sidecar.istio.io/inject': 'false' },
    ])
    for (const nl of nsLabels) {
      for (const ol of objLabels) {
        const matches = hooks.filter(
          ({ h }) =>
            labelSelectorMatches(h.namespaceSelector, nl) && labelSelectorMatches(h.objectSelector, ol),
        )
        const ids = [...new Set(matches.map((m) => m.id))]
        if (ids.length < 2) continue
        for (const id of ids) {
          const m = matches.find((x) => x.id === id)
          if (!m) continue
          const others = ids.filter((x) => x !== id).sort()
          report(m.r, 'IST0139', [
            `Webhook overlaps with others: [${others.join(' ')}]. This may cause injection to occur twice.`,
          ])
        }
      }
    }
    for (const { r, h } of hooks) {
      const svc = obj(obj(h.clientConfig).service)
      if (Object.keys(svc).length === 0) continue
      const ns = str(svc.namespace)
      const name = str(svc.name)
      if (!ctx.kind('Service').some((s) => s.metadata.name === name && (s.metadata.namespace ?? '') === ns)) {
        report(r, 'IST0139', [
          `Injector refers to a control plane service that does not exist: ${ns}/${name}.`,
        ])
      }
    }
  },
}
