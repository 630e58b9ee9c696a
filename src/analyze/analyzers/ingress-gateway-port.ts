/**
 * @module analyze/analyzers/ingress-gateway-port — `gateway.IngressGatewayPortAnalyzer`: a Gateway's selector
 * must match gateway pods (IST0101), and each server port must be a port (or target port) of the Service in
 * front of those pods (IST0162).
 */
import { specOf } from '../../api/resource.ts'
import { nsOf } from '../context.ts'
import { selectorString, selects } from '../labels.ts'
import type { Analyzer } from '../types.ts'
import { arr, labelsOf, num, obj, str } from '../values.ts'

export const ingressGatewayPortAnalyzer: Analyzer = {
  name: 'gateway.IngressGatewayPortAnalyzer',
  description: "Checks a gateway's ports against the gateway's Kubernetes service ports",
  inputs: ['Gateway', 'Pod', 'Service'],
  needs: ['pods'],
  run(ctx, report) {
    for (const gw of ctx.kind('Gateway')) {
      const selector = labelsOf(specOf(gw).selector)
      const sel = selectorString(selector)
      const servicePorts = new Set<number>()
      const mapped = new Set<number>()
      let matches = 0
      for (const pod of ctx.pods) {
        if (!selects(selector, pod.labels)) continue
        matches++
        for (const svc of ctx.kind('Service')) {
          if (nsOf(svc) !== pod.namespace || !selects(labelsOf(specOf(svc).selector), pod.labels)) continue
          for (const p of arr(specOf(svc).ports)) {
            const port = obj(p)
            if ((str(port.protocol) || 'TCP') !== 'TCP') continue
            const target = num(port.targetPort) ?? 0
            if (target !== 0) {
              servicePorts.add(target)
              mapped.add(num(port.port) ?? 0)
            } else servicePorts.add(num(port.port) ?? 0)
          }
        }
      }
      if (matches === 0) {
        report(gw, 'IST0101', ['selector', sel], ['spec', 'selector'])
        continue
      }
      arr(specOf(gw).servers).forEach((s, i) => {
        const n = num(obj(obj(s).port).number)
        if (n === undefined || servicePorts.has(n) || mapped.has(n)) return
        report(gw, 'IST0162', [n, sel], ['spec', 'servers', i, 'port', 'number'])
      })
    }
  },
}
