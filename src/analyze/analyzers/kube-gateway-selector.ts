/**
 * @module analyze/analyzers/kube-gateway-selector — `k8sgateway.SelectorAnalyzer`: a policy's workload selector
 * that matches a Kubernetes Gateway's pods has no effect there; use `targetRef` (IST0166).
 */
import { specOf } from '../../api/resource.ts'
import { nsOf } from '../context.ts'
import { selects } from '../labels.ts'
import type { Analyzer } from '../types.ts'
import { labelsOf, obj } from '../values.ts'

const POLICY_KINDS = ['AuthorizationPolicy', 'RequestAuthentication', 'Telemetry', 'WasmPlugin']
const GATEWAY_NAME = 'gateway.networking.k8s.io/gateway-name'

export const kubeGatewaySelectorAnalyzer: Analyzer = {
  name: 'k8sgateway.SelectorAnalyzer',
  description: 'Check that selectors are effective for Kubernetes gateway',
  inputs: ['AuthorizationPolicy', 'RequestAuthentication', 'Telemetry', 'WasmPlugin', 'Pod'],
  needs: ['pods'],
  run(ctx, report) {
    const gatewayPods = ctx.pods.filter((p) => !p.template && p.labels[GATEWAY_NAME] !== undefined)
    for (const kind of POLICY_KINDS) {
      for (const r of ctx.kind(kind)) {
        const spec = specOf(r)
        if (spec.targetRef !== undefined && spec.targetRef !== null) continue
        if (spec.selector === undefined || spec.selector === null) continue
        const selector = labelsOf(obj(spec.selector).matchLabels)
        for (const pod of gatewayPods) {
          if (pod.namespace === nsOf(r) && selects(selector, pod.labels)) {
            report(r, 'IST0166', [pod.labels[GATEWAY_NAME] ?? ''], ['spec', 'selector'])
          }
        }
      }
    }
  },
}
