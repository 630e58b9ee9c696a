/**
 * @module analyze/analyzers/telemetry — the Telemetry analyzers: selectors that match no pod or overlap
 * (IST0101, IST0159), several namespace-wide Telemetries (IST0160), access logging with no provider when the
 * mesh has no default one (IST0157), and the deprecated Lightstep provider (IST0002).
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import { nsOf, type PodView } from '../context.ts'
import { selectorString, selects } from '../labels.ts'
import type { Analyzer } from '../types.ts'
import { arr, labelsOf, obj, str } from '../values.ts'

const names = (list: readonly Resource[]): string[] => list.map((r) => r.metadata.name).sort()

export const telemetrySelectorAnalyzer: Analyzer = {
  name: 'telemetry.SelectorAnalyzer',
  description:
    "Validates that telemetries that define a selector match at least one pod, and that there aren't multiple telemetry resources that select overlapping pods",
  inputs: ['Telemetry', 'Pod'],
  needs: ['pods'],
  run(ctx, report) {
    const byPod = new Map<PodView, Resource[]>()
    for (const t of ctx.kind('Telemetry')) {
      const selector = labelsOf(obj(specOf(t).selector).matchLabels)
      if (Object.keys(selector).length === 0) continue
      let found = false
      for (const pod of ctx.pods) {
        if (pod.namespace !== nsOf(t) || !selects(selector, pod.labels)) continue
        found = true
        byPod.set(pod, [...(byPod.get(pod) ?? []), t])
      }
      if (!found)
        report(t, 'IST0101', ['selector', selectorString(selector)], ['spec', 'selector', 'matchLabels'])
    }
    for (const [pod, list] of byPod) {
      if (list.length < 2) continue
      for (const t of list) report(t, 'IST0159', [names(list), pod.namespace, pod.name], ['metadata', 'name'])
    }
  },
}

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
