/**
 * @module analyze/analyzers/gateway-certificates — `gateway.CertificateAnalyzer`: two Gateways on the same
 * workloads serving the same certificate make HTTP/2 clients reuse connections across them (404s, IST0138).
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import type { Analyzer } from '../types.ts'
import { arr, labelsOf, obj, str } from '../values.ts'
import { fullName } from './routes.ts'

/** Istio's `selectorSubset`: every key of `x` is in `y` with the same value. */
function subset(x: Record<string, string>, y: Record<string, string>): boolean {
  return Object.entries(x).every(([k, v]) => y[k] === v)
}

function sameCertificate(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ca = str(a.credentialName)
  const cb = str(b.credentialName)
  if (ca !== '' && cb !== '') return ca === cb
  if (ca !== '' || cb !== '') return false
  const sa = str(a.serverCertificate)
  const pa = str(a.privateKey)
  const pb = str(b.privateKey)
  return sa !== '' && sa === str(b.serverCertificate) && pa !== '' && pa === pb
}

function tlsOf(server: unknown): Record<string, unknown> | undefined {
  const tls = obj(server).tls
  return tls !== undefined && tls !== null ? obj(tls) : undefined
}

export const gatewayCertificateAnalyzer: Analyzer = {
  name: 'gateway.CertificateAnalyzer',
  description: 'Checks a gateway certificate',
  inputs: ['Gateway'],
  run(ctx, report) {
    const gateways = ctx.kind('Gateway')
    for (const gw of gateways) {
      const selector = labelsOf(specOf(gw).selector)
      const others = gateways.filter(
        (o: Resource) =>
          o !== gw && (Object.keys(selector).length === 0 || subset(selector, labelsOf(specOf(o).selector))),
      )
      for (const other of others) {
        for (const s of arr(specOf(gw).servers)) {
          for (const t of arr(specOf(other).servers)) {
            const a = tlsOf(s)
            const b = tlsOf(t)
            if (a && b && sameCertificate(a, b)) {
              report(gw, 'IST0138', [[fullName(gw), fullName(other)]], ['metadata', 'name'])
            }
          }
        }
      }
    }
  },
}
