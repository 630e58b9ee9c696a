/**
 * @module analyze/analyzers/external-control-plane — `externalcontrolplane.ExternalControlPlaneAnalyzer`:
 * Istio's injection and validation webhooks of a remote cluster must reach the external control plane by
 * URL or service (IST0163), preferably by host name rather than IP (IST0164).
 */
import { isIP } from 'node:net'
import type { Resource } from '../../api/resource.ts'
import type { Analyzer, Report } from '../types.ts'
import { arr, obj, str } from '../values.ts'

function checkHooks(r: Resource, report: Report): void {
  for (const hook of arr(r.body.webhooks).map(obj)) {
    const name = str(hook.name)
    const client = obj(hook.clientConfig)
    if (typeof client.url === 'string') {
      let host: string
      try {
        host = new URL(client.url).hostname.replace(/^\[|\]$/g, '')
      } catch {
        report(r, 'IST0163', [client.url, name, 'was provided in an invalid format'])
        continue
      }
      if (isIP(host) !== 0) report(r, 'IST0164', [client.url, name])
    } else if (client.service === undefined || client.service === null) {
      report(r, 'IST0163', ['', name, 'is blank'])
    }
  }
}

export const externalControlPlaneAnalyzer: Analyzer = {
  name: 'externalcontrolplane.ExternalControlPlaneAnalyzer',
  description: 'Checks that the remote IstioOperator resources reference an external control plane',
  inputs: ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'],
  run(ctx, report) {
    for (const r of ctx.kind('ValidatingWebhookConfiguration')) {
      const n = r.metadata.name
      if (n === 'istiod-default-validator' || n.startsWith('istio-validator')) checkHooks(r, report)
    }
    for (const r of ctx.kind('MutatingWebhookConfiguration')) {
      if (r.metadata.name.startsWith('istio-sidecar-injector')) checkHooks(r, report)
    }
  },
}
