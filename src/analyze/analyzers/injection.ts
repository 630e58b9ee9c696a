/**
 * @module analyze/analyzers/injection — `injection.Analyzer`: namespaces not labelled for sidecar injection
 * (IST0102, or IST0148 when injection is on by default), namespaces with conflicting injection labels
 * (IST0123), and pods in injected namespaces that run without the proxy (IST0103).
 */
import type { Resource } from '../../api/resource.ts'
import type { AnalysisContext } from '../context.ts'
import type { Analyzer } from '../types.ts'
import { obj, str } from '../values.ts'

const INJECTION = 'istio-injection'
const REVISION = 'istio.io/rev'
const DATAPLANE_MODE = 'istio.io/dataplane-mode'

export const injectionAnalyzer: Analyzer = {
  name: 'injection.Analyzer',
  description: 'Checks conditions related to Istio sidecar injection',
  inputs: ['Namespace', 'Pod', 'ConfigMap'],
  run(ctx, report) {
    const injected = new Set<string>()
    for (const ns of ctx.kind('Namespace')) {
      const name = ns.metadata.name
      if (name === ctx.mesh.rootNamespace) continue
      const labels = ns.metadata.labels ?? {}
      const injection = labels[INJECTION]
      const found: string[] = []
      if (injection !== undefined) found.push(`${INJECTION}=${injection}`)
      for (const l of [REVISION, DATAPLANE_MODE]) {
        if (labels[l] !== undefined && (injection === undefined || injection === 'enabled'))
          found.push(`${l}=${labels[l]}`)
      }
      if (found.length > 1) report(ns, 'IST0123', [found])
      if (labels[DATAPLANE_MODE] === 'ambient') continue
      if ((injection ?? '') === '' && labels[REVISION] === undefined) {
        if (enabledByDefault(ctx, labels[REVISION] ?? '')) report(ns, 'IST0148', [])
        else report(ns, 'IST0102', [name, name], ['metadata', 'name'])
        continue
      }
      if (injection === 'enabled') injected.add(name)
    }
    for (const pod of ctx.pods) {
      if (pod.template || !injected.has(pod.namespace)) continue
      const inject = pod.labels['sidecar.istio.io/inject'] ?? pod.annotations['sidecar.istio.io/inject'] ?? ''
      if (inject.toLowerCase() === 'false' || obj(obj(pod.resource.body).spec).hostNetwork === true) continue
      if (!pod.containers.includes('istio-proxy')) report(pod.resource, 'IST0103', [podName(pod.resource)])
    }
  },
}

function podName(r: Resource): string {
  return r.metadata.namespace ? `${r.metadata.namespace}/${r.metadata.name}` : r.metadata.name
}

/** `sidecarInjectorWebhook.enableNamespacesByDefault` from the injector ConfigMap's `values` JSON. */
function enabledByDefault(ctx: AnalysisContext, revision: string): boolean {
  const name =
    revision === '' || revision === 'default'
      ? 'istio-sidecar-injector'
      : `istio-sidecar-injector-${revision}`
  const cm = ctx.kind('ConfigMap').find((c) => c.metadata.name === name)
  if (!cm) return false
  try {
    const values = JSON.parse(str(obj(cm.body.data).values)) as unknown
    return obj(obj(values).sidecarInjectorWebhook).enableNamespacesByDefault === true
  } catch {
    return false
  }
}
