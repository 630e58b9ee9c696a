/**
 * @module analyze/analyzers/gateway-secrets — `gateway.SecretAnalyzer`: a Gateway's selector must match
 * gateway pods (IST0101), its `credentialName` must name a Secret in the gateway's namespace (IST0101), and that
 * Secret must hold a certificate and key, the certificate currently valid (IST0161).
 */
import { X509Certificate } from 'node:crypto'
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import { nsOf } from '../context.ts'
import { selectorString, selects } from '../labels.ts'
import type { Analyzer } from '../types.ts'
import { arr, labelsOf, obj, str } from '../values.ts'

/** A Secret's data decoded: `data` is base64, `stringData` plain. */
function secretData(s: Resource): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(obj(s.body.data)))
    out.set(k, Buffer.from(str(v), 'base64').toString('utf8'))
  for (const [k, v] of Object.entries(obj(s.body.stringData))) out.set(k, str(v))
  return out
}

/** Istio's rule: `cert`+`key` or `tls.crt`+`tls.key`, non-empty, and the first PEM certificate valid now. */
function validCredential(s: Resource): boolean {
  const data = secretData(s)
  const pair = [
    ['cert', 'key'],
    ['tls.crt', 'tls.key'],
  ].find(([c, k]) => (data.get(c ?? '') ?? '') !== '' && (data.get(k ?? '') ?? '') !== '')
  if (!pair) return false
  const pem = data.get(pair[0] ?? '') ?? ''
  const m = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(pem)
  if (!m) return false
  try {
    const cert = new X509Certificate(m[0])
    const now = Date.now()
    return now <= Date.parse(cert.validTo) && now >= Date.parse(cert.validFrom)
  } catch {
    return false
  }
}

export const gatewaySecretAnalyzer: Analyzer = {
  name: 'gateway.SecretAnalyzer',
  description: "Checks a gateway's referenced secrets for correctness",
  inputs: ['Gateway', 'Pod', 'Secret'],
  // Offline, credentials are usually created with kubectl, not in the manifests: without any Secret in the
  // input nothing can be said.
  needs: ['pods', 'secrets'],
  run(ctx, report) {
    for (const gw of ctx.kind('Gateway')) {
      const selector = labelsOf(specOf(gw).selector)
      const pod = ctx.pods.find((p) => selects(selector, p.labels))
      if (!pod) {
        report(gw, 'IST0101', ['selector', selectorString(selector)], ['spec', 'selector'])
        continue
      }
      const gwNs = pod.namespace
      arr(specOf(gw).servers).forEach((server, i) => {
        const cn = str(obj(obj(server).tls).credentialName)
        if (cn === '') return
        const slash = cn.indexOf('/')
        const ref =
          slash >= 0 ? { ns: cn.slice(0, slash), name: cn.slice(slash + 1) } : { ns: gwNs, name: cn }
        const secret = ctx.kind('Secret').find((s) => s.metadata.name === ref.name && nsOf(s) === ref.ns)
        const path = ['spec', 'servers', i, 'tls', 'credentialName']
        if (!secret) report(gw, 'IST0101', ['credentialName', cn], path)
        else if (!validCredential(secret)) report(gw, 'IST0161', [gw.metadata.name, gwNs], path)
      })
    }
  },
}
