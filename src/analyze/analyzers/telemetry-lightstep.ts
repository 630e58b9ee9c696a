/**
 * @module analyze/analyzers/telemetry-lightstep — `telemetry.LightstepAnalyzer`: the Lightstep tracing
 * provider is deprecated (IST0002).
 */
import { specOf } from '../../api/resource.ts'
import type { Analyzer } from '../types.ts'
import { arr, obj, str } from '../values.ts'

export const telemetryLightstepAnalyzer: Analyzer = {
  name: 'telemetry.LightstepAnalyzer',
  description: 'Validates that lightstep provider is still used',
  inputs: ['Telemetry', 'MeshConfig'],
  run(ctx, report) {
    const lightstep = new Set(
      arr(ctx.mesh.raw.extensionProviders)
        .map(obj)
        .filter((p) => p.lightstep !== undefined)
        .map((p) => str(p.name)),
    )
    if (lightstep.size === 0) return
    for (const t of ctx.kind('Telemetry')) {
      arr(specOf(t).tracing).forEach((tr, i) => {
        for (const p of arr(obj(tr).providers)) {
          const name = str(obj(p).name)
          if (lightstep.has(name)) {
            report(
              t,
              'IST0002',
              [`The Lightstep provider ${name} is deprecated, please migrate to OpenTelemetry provider.`],
              ['spec', 'tracing', i],
            )
          }
        }
      })
    }
  },
}
