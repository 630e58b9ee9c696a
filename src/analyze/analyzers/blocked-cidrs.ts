/**
 * @module analyze/analyzers/blocked-cidrs — `authn.BlockedCIDRsAnalyzer`: with RequestAuthentications in the
 * mesh, istiod should restrict where it fetches JWKS from (`BLOCKED_CIDRS_IN_JWKS_URIS`, IST0175).
 */
import { specOf } from '../../api/resource.ts'
import type { Analyzer } from '../types.ts'
import { arr, obj, str } from '../values.ts'
import { fullName } from './routes.ts'

export const blockedCIDRsAnalyzer: Analyzer = {
  name: 'authn.BlockedCIDRsAnalyzer',
  description:
    'Checks that BLOCKED_CIDRS_IN_JWKS_URIS is configured on istiod when RequestAuthentication resources exist',
  inputs: ['RequestAuthentication', 'Deployment'],
  run(ctx, report) {
    const ras = ctx.kind('RequestAuthentication').map(fullName)
    if (ras.length === 0) return
    const names =
      ras.length <= 5 ? ras.join(', ') : `${ras.slice(0, 5).join(', ')}, and ${ras.length - 5} more`
    for (const d of ctx.kind('Deployment')) {
      if (d.metadata.labels?.app !== 'istiod') continue
      const containers = arr(obj(obj(specOf(d).template).spec).containers).map(obj)
      const set = containers.some((c) =>
        arr(c.env).some((e) => obj(e).name === 'BLOCKED_CIDRS_IN_JWKS_URIS' && str(obj(e).value) !== ''),
      )
      if (!set) report(d, 'IST0175', [ras.length, names])
    }
  },
}
