/**
 * @module analyze/analyzers/ca-certificates — `destinationrule.CaCertificateAnalyzer`: TLS origination
 * (`SIMPLE` / `MUTUAL`) without `caCertificates` does not verify the server (IST0128, IST0129 per port).
 */
import { specOf } from '../../api/resource.ts'
import type { Analyzer } from '../types.ts'
import { arr, obj, str } from '../values.ts'
import { fullName } from './routes.ts'

function unverified(tls: Record<string, unknown>, hasSelector: boolean): string | undefined {
  const mode = str(tls.mode)
  if (mode !== 'SIMPLE' && mode !== 'MUTUAL') return undefined
  if (str(tls.caCertificates) !== '') return undefined
  if (str(tls.credentialName) !== '' && hasSelector) return undefined
  return mode
}

export const caCertificateAnalyzer: Analyzer = {
  name: 'destinationrule.CaCertificateAnalyzer',
  description: 'Checks if caCertificates is set when TLS mode is SIMPLE/MUTUAL',
  inputs: ['DestinationRule'],
  run(ctx, report) {
    for (const dr of ctx.kind('DestinationRule')) {
      const spec = specOf(dr)
      const ns = dr.metadata.namespace ?? ''
      const host = str(spec.host)
      const hasSelector = spec.workloadSelector !== undefined && spec.workloadSelector !== null
      const policy = obj(spec.trafficPolicy)
      const mode = unverified(obj(policy.tls), hasSelector)
      if (mode)
        report(dr, 'IST0128', [fullName(dr), ns, mode, host], ['spec', 'trafficPolicy', 'tls', 'mode'])
      arr(policy.portLevelSettings).forEach((p, i) => {
        const m = unverified(obj(obj(p).tls), hasSelector)
        if (!m) return
        // Go prints the PortSelector message: `number:9443`.
        const port = obj(obj(p).port).number
        report(
          dr,
          'IST0129',
          [fullName(dr), ns, m, host, port === undefined ? '' : `number:${String(port)}`],
          ['spec', 'trafficPolicy', 'portLevelSettings', i, 'tls', 'mode'],
        )
      })
    }
  },
}
