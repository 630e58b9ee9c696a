/**
 * @module analyze/analyzers/envoy-filter-patches — `envoyfilter.EnvoyPatchAnalyzer`: EnvoyFilter patch
 * operations that are ignored (ADD/REMOVE on routes, IST0153/IST0154; REPLACE outside filters, IST0152) or
 * fragile (relative operations without priority, IST0151, and with a proxyVersion match, IST0155).
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import type { Analyzer, Report } from '../types.ts'
import { arr, num, obj, str } from '../values.ts'
import { fullName } from './routes.ts'

const ROUTES = new Set(['ROUTE_CONFIGURATION', 'HTTP_ROUTE'])
const REPLACEABLE = new Set(['NETWORK_FILTER', 'HTTP_FILTER', 'VIRTUAL_HOST'])

export const envoyFilterPatchAnalyzer: Analyzer = {
  name: 'envoyfilter.EnvoyPatchAnalyzer',
  description: 'Checks an envoyFilters ',
  inputs: ['EnvoyFilter'],
  run(ctx, report) {
    const versioned: string[] = []
    const filters = [...ctx.kind('EnvoyFilter')].sort((a, b) => (fullName(a) < fullName(b) ? -1 : 1))
    for (const ef of filters) check(ef, versioned, report)
  },
}

/** Messages point at the EnvoyFilter, as istioctl prints them, so one per kind of problem and filter. */
function check(ef: Resource, versioned: string[], report: Report): void {
  const priority = num(specOf(ef).priority) ?? 0
  const patches = arr(specOf(ef).configPatches)
  for (let i = 0; i < patches.length; i++) {
    const cp = obj(patches[i])
    if (cp.patch === undefined || cp.patch === null) break
    const patch = obj(cp.patch)
    const value = obj(patch.value)
    const match = obj(cp.match)
    let instance = ''
    if (Object.keys(value).length > 0) {
      instance =
        value.name !== undefined
          ? JSON.stringify(value.name)
          : str(obj(obj(obj(match.listener).filterChain).filter).name)
    }
    const relative = (): void => {
      if (priority !== 0) return
      report(ef, versioned.includes(instance) ? 'IST0155' : 'IST0151', [])
    }
    const op = str(patch.operation)
    const applyTo = str(cp.applyTo)
    if (op === 'ADD') {
      if (ROUTES.has(applyTo)) report(ef, 'IST0153', [])
    } else if (op === 'REMOVE') {
      if (ROUTES.has(applyTo)) report(ef, 'IST0154', [])
      else relative()
    } else if (op === 'REPLACE') {
      if (!REPLACEABLE.has(applyTo)) report(ef, 'IST0152', [])
      else relative()
    } else if (op === 'INSERT_BEFORE' || op === 'INSERT_AFTER') relative()
    if (str(obj(match.proxy).proxyVersion) !== '') versioned.push(instance)
  }
}
