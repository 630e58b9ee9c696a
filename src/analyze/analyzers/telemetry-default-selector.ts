/**
 * @module analyze/analyzers/telemetry-default-selector — `telemetry.DefaultSelectorAnalyzer`: at most one
 * namespace-wide (selector-less) Telemetry per namespace (IST0160).
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import { nsOf } from '../context.ts'
import type { Analyzer } from '../types.ts'

const names = (list: readonly Resource[]): string[] => list.map((r) => r.metadata.name).sort()

export const telemetryDefaultSelectorAnalyzer: Analyzer = {
  name: 'telemetry.DefaultSelectorAnalyzer',
  description: "Validates that there aren't multiple telemetry resources that have no selector",
  inputs: ['Telemetry'],
  run(ctx, report) {
    const byNs = new Map<string, Resource[]>()
    for (const t of ctx.kind('Telemetry')) {
      const sel = specOf(t).selector
      if (sel !== undefined && sel !== null) continue
      byNs.set(nsOf(t), [...(byNs.get(nsOf(t)) ?? []), t])
    }
    for (const [ns, list] of byNs) {
      if (list.length > 1) for (const t of list) report(t, 'IST0160', [names(list), ns])
    }
  },
}
