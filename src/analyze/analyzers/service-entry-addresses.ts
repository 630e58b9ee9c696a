/**
 * @module analyze/analyzers/service-entry-addresses — `serviceentry.Analyzer`: a ServiceEntry with TCP (or
 * unspecified-protocol) ports and no addresses cannot be told apart by IP (IST0134), unless the mesh
 * auto-allocates addresses (DNS capture with auto-allocation).
 */
import { specOf } from '../../api/resource.ts'
import type { Analyzer } from '../types.ts'
import { arr, obj, str } from '../values.ts'

export const serviceEntryAnalyzer: Analyzer = {
  name: 'serviceentry.Analyzer',
  description: 'Checks the validity of ServiceEntry',
  inputs: ['ServiceEntry', 'MeshConfig'],
  run(ctx, report) {
    const md = ctx.mesh.proxyMetadata
    const auto =
      md.ISTIO_META_DNS_CAPTURE === 'true' &&
      (md.ISTIO_META_DNS_AUTO_ALLOCATE === 'true' || md.PILOT_ENABLE_IP_AUTOALLOCATE === 'true')
    if (auto) return
    for (const se of ctx.kind('ServiceEntry')) {
      const spec = specOf(se)
      if (spec.addresses !== undefined && spec.addresses !== null) continue
      if (arr(obj(se.body.status).addresses).length > 0) continue
      arr(spec.ports).forEach((p, i) => {
        const protocol = str(obj(p).protocol)
        if (protocol === '' || protocol.toUpperCase() === 'TCP') {
          report(se, 'IST0134', [], ['spec', 'ports', i, 'name'])
        }
      })
    }
  },
}
