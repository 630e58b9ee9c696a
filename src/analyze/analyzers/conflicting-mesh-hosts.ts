/**
 * @module analyze/analyzers/conflicting-mesh-hosts — `virtualservice.ConflictingMeshGatewayHostsAnalyzer`:
 * two VirtualServices bound to the mesh that define the same host (visible in the same namespaces) do not
 * merge on sidecars; one silently wins (IST0109).
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import { nsOf } from '../context.ts'
import { hostsMatch, toFQDN } from '../hosts.ts'
import type { Analyzer } from '../types.ts'
import { strs } from '../values.ts'
import { fullName } from './routes.ts'

export const conflictingMeshHostsAnalyzer: Analyzer = {
  name: 'virtualservice.ConflictingMeshGatewayHostsAnalyzer',
  description: 'Checks if multiple virtual services associated with the mesh gateway have conflicting hosts',
  inputs: ['VirtualService'],
  run(ctx, report) {
    const byScopedHost = new Map<string, Resource[]>()
    for (const vs of ctx.kind('VirtualService')) {
      const spec = specOf(vs)
      const gateways = strs(spec.gateways)
      if (gateways.length > 0 && !gateways.includes('mesh')) continue
      const exportTo = strs(spec.exportTo)
      const scopes =
        exportTo.length === 0 || exportTo.includes('*')
          ? ['*']
          : [...new Set(exportTo.map((e) => (e === '.' ? nsOf(vs) : e)))]
      for (const scope of scopes) {
        for (const h of strs(spec.hosts)) {
          const key = `${scope}/${toFQDN(nsOf(vs), h)}`
          byScopedHost.set(key, [...(byScopedHost.get(key) ?? []), vs])
        }
      }
    }
    const reported = new Set<Resource>()
    for (const [key, own] of byScopedHost) {
      const slash = key.indexOf('/')
      const scope = key.slice(0, slash)
      const host = key.slice(slash + 1)
      let list = own
      if (scope !== '*') {
        // A VirtualService exported everywhere is also visible in this scope.
        for (const [other, vss] of byScopedHost) {
          if (other.startsWith('*/') && hostsMatch(host, other.slice(2))) list = [...list, ...vss]
        }
      }
      if (list.length < 2) continue
      const names = list.map(fullName).sort().join(',')
      for (const vs of list) {
        if (reported.has(vs)) continue
        reported.add(vs)
        report(vs, 'IST0109', [names, key], ['metadata', 'name'])
      }
    }
  },
}
