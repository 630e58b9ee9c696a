/**
 * @module analyze/analyzers/telemetry-provider — `telemetry.ProviderAnalyzer`: access logging with no
 * provider, when the mesh has no default one, is ignored (IST0157).
 */
import { specOf } from '../../api/resource.ts'
import { nsOf } from '../context.ts'
import type { Analyzer } from '../types.ts'
import { arr, obj } from '../values.ts'

export const telemetryProviderAnalyzer: Analyzer = {
  name: 'telemetry.ProviderAnalyzer',
  description: 'Validates that providers in telemetry resource is valid',
  inputs: ['Telemetry', 'MeshConfig'],
  run(ctx, report) {
    if (arr(obj(ctx.mesh.raw.defaultProviders).accessLogging).length > 0) return
    for (const t of ctx.kind('Telemetry')) {
      arr(specOf(t).accessLogging).forEach((l, i) => {
        const disabled = obj(l).disabled
        if (disabled === true || obj(disabled).value === true) return
        if (arr(obj(l).providers).length === 0) {
          report(t, 'IST0157', [t.metadata.name, nsOf(t)], ['spec', 'accessLogging', i])
        }
      })
    }
  },
}
