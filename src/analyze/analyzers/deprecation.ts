/**
 * @module analyze/analyzers/deprecation — `deprecation.DeprecationAnalyzer`: deprecated fields Istio still
 * reads (IST0002): `fault.delay.percent` (use `percentage`) and a Sidecar's ignored `egressProxy`.
 */
import { specOf } from '../../api/resource.ts'
import type { Analyzer } from '../types.ts'
import { arr, obj } from '../values.ts'

export const deprecationAnalyzer: Analyzer = {
  name: 'deprecation.DeprecationAnalyzer',
  description: 'Checks for deprecated Istio types and fields',
  inputs: ['VirtualService', 'Sidecar', 'CustomResourceDefinition'],
  run(ctx, report) {
    for (const vs of ctx.kind('VirtualService')) {
      arr(specOf(vs).http).forEach((rule, i) => {
        const percent = obj(obj(obj(rule).fault).delay).percent
        if (typeof percent === 'number' && percent > 0) {
          report(
            vs,
            'IST0002',
            ['HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage'],
            ['spec', 'http', i, 'fault', 'delay', 'percent'],
          )
        }
      })
    }
    for (const sc of ctx.kind('Sidecar')) {
      const egress = obj(specOf(sc).outboundTrafficPolicy).egressProxy
      if (egress !== undefined && egress !== null) {
        report(
          sc,
          'IST0002',
          ['OutboundTrafficPolicy.EgressProxy ignored'],
          ['spec', 'outboundTrafficPolicy', 'egressProxy'],
        )
      }
    }
  },
}
