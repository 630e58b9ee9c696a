/**
 * @module analyze/analyzers/crd-version — `k8sgateway.CRDVersionAnalyzer`: Gateway API CRDs older than the
 * bundle version Istio requires are not processed (IST0176).
 */
import type { Analyzer } from '../types.ts'

/** Minimum Gateway API bundle version per CRD name, as Istio requires. */
const MINIMUM: Readonly<Record<string, readonly [number, number, number]>> = {
  'grpcroutes.gateway.networking.k8s.io': [1, 1, 0],
  'backendtlspolicies.gateway.networking.k8s.io': [1, 4, 0],
  'tlsroutes.gateway.networking.k8s.io': [1, 5, 0],
  'tcproutes.gateway.networking.k8s.io': [1, 6, 0],
}

function parseSemver(s: string): { core: [number, number, number]; text: string } | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.exec(s)
  if (!m) return undefined
  const core: [number, number, number] = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)]
  return { core, text: `${core.join('.')}${m[4] ?? ''}${m[5] ?? ''}` }
}

function less(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0)
  return false
}

export const crdVersionAnalyzer: Analyzer = {
  name: 'k8sgateway.CRDVersionAnalyzer',
  description: 'Checks Gateway API CRDs are at the minimum version required by this Istio version',
  inputs: ['CustomResourceDefinition'],
  run(ctx, report) {
    for (const crd of ctx.kind('CustomResourceDefinition')) {
      const min = MINIMUM[crd.metadata.name]
      const bundle = crd.metadata.annotations?.['gateway.networking.k8s.io/bundle-version']
      if (!min || bundle === undefined) continue
      const v = parseSemver(bundle)
      if (v && less(v.core, min)) report(crd, 'IST0176', [crd.metadata.name, v.text, min.join('.')])
    }
  },
}
