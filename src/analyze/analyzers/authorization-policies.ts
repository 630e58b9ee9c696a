/**
 * @module analyze/analyzers/authorization-policies — `auth.AuthorizationPoliciesAnalyzer`: a policy whose
 * selector matches no meshed workload (IST0127), and source namespaces that do not exist (IST0101).
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import { type AnalysisContext, nsOf, type PodView } from '../context.ts'
import { selectorString, selects } from '../labels.ts'
import type { Analyzer } from '../types.ts'
import { arr, labelsOf, obj, strs } from '../values.ts'

/** Istio's `PodInMesh` (plus ambient redirection): a proxy, an inject label/annotation, or an injected namespace. */
function meshed(ctx: AnalysisContext, pod: PodView): boolean {
  if (pod.annotations['ambient.istio.io/redirection'] === 'enabled') return true
  const spec = obj(pod.template ? obj(specOf(pod.resource).template).spec : specOf(pod.resource))
  const all = [...arr(spec.containers), ...arr(spec.initContainers)].map(obj)
  if (all.some((c) => c.name === 'istio-proxy' && typeof c.image === 'string' && c.image !== '')) return true
  for (const m of [pod.labels, pod.annotations]) {
    const v = m['sidecar.istio.io/inject']
    if (v !== undefined) return v === 'true'
  }
  const ns = ctx.kind('Namespace').find((n) => n.metadata.name === pod.namespace)
  return ns?.metadata.labels?.['istio-injection'] === 'enabled'
}

/** `*`, `prefix*`, `*suffix` or an exact (case-insensitive) namespace name. */
function namespaceMatch(ns: string, exp: string): boolean {
  if (exp === '*') return true
  if (exp.startsWith('*')) return ns.endsWith(exp.slice(1))
  if (exp.endsWith('*')) return ns.startsWith(exp.slice(0, -1))
  return ns.toLowerCase() === exp.toLowerCase()
}

export const authorizationPoliciesAnalyzer: Analyzer = {
  name: 'auth.AuthorizationPoliciesAnalyzer',
  description: 'Checks the validity of authorization policies',
  inputs: ['MeshConfig', 'AuthorizationPolicy', 'Namespace', 'Pod'],
  // Offline, without Namespace objects no pod is known to be in the mesh and no namespace exists.
  needs: ['pods', 'namespaces'],
  run(ctx, report) {
    const meshedPods = ctx.pods.filter((p) => meshed(ctx, p))
    const namespaces = ctx.kind('Namespace').map((n) => n.metadata.name)
    for (const ap of ctx.kind('AuthorizationPolicy')) {
      checkWorkloads(ap)
      arr(specOf(ap).rules).forEach((rule, i) => {
        arr(obj(rule).from).forEach((from, j) => {
          const source = obj(obj(from).source)
          for (const field of ['namespaces', 'notNamespaces'] as const) {
            strs(source[field]).forEach((ns, k) => {
              if (!namespaces.some((n) => namespaceMatch(n, ns))) {
                report(ap, 'IST0101', ['namespace', ns], ['spec', 'rules', i, 'from', j, 'source', field, k])
              }
            })
          }
        })
      })
    }

    function checkWorkloads(ap: Resource): void {
      const sel = specOf(ap).selector
      const hasSelector = sel !== undefined && sel !== null
      const selector = labelsOf(obj(sel).matchLabels)
      if (nsOf(ap) === ctx.mesh.rootNamespace) {
        if (hasSelector && !meshedPods.some((p) => selects(selector, p.labels))) {
          report(ap, 'IST0127', [selectorString(selector)])
        }
        return
      }
      const inNs = meshedPods.filter((p) => p.namespace === nsOf(ap))
      if (!hasSelector) {
        if (inNs.length === 0) report(ap, 'IST0127', [''])
        return
      }
      if (!inNs.some((p) => selects(selector, p.labels))) report(ap, 'IST0127', [selectorString(selector)])
    }
  },
}
