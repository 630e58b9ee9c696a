/**
 * @module analyze/analyzers/mesh-networks — `meshnetworks.MeshNetworksAnalyzer`: each network endpoint's
 * `fromRegistry` must name a known service registry (Kubernetes, External, Mock, or a remote cluster from a
 * multi-cluster Secret) (IST0126).
 */
import { specOf } from '../../api/resource.ts'
import type { Analyzer } from '../types.ts'
import { arr, obj } from '../values.ts'

export const meshNetworksAnalyzer: Analyzer = {
  name: 'meshnetworks.MeshNetworksAnalyzer',
  description: 'Check the validity of MeshNetworks in the cluster',
  inputs: ['MeshNetworks', 'Secret'],
  run(ctx, report) {
    const registries = new Set(['Mock', 'Kubernetes', 'External'])
    for (const s of ctx.kind('Secret')) {
      if (s.metadata.labels?.['istio/multiCluster'] !== 'true') continue
      for (const k of Object.keys(obj(s.body.data))) registries.add(k)
    }
    for (const mn of ctx.kind('MeshNetworks')) {
      const networks = obj(specOf(mn).networks ?? mn.body.networks)
      for (const [name, n] of Object.entries(networks)) {
        arr(obj(n).endpoints).forEach((e, j) => {
          const from = obj(e).fromRegistry
          if (typeof from === 'string' && !registries.has(from)) {
            report(mn, 'IST0126', [from, name], ['spec', 'networks', name, 'endpoints', j])
          }
        })
      }
    }
  },
}
