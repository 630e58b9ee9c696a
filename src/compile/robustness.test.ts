/** @module compile/robustness.test — compileProxy and explain never throw, whatever shape user config has. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import type { Resource } from '../api/resource.ts'
import { buildSnapshot } from '../model/snapshot.ts'
import { compileProxy } from './compile-proxy.ts'
import { explainRequest } from './explain.ts'
import { ingressGatewayNode, syntheticSidecar } from './node.ts'

const KINDS: [string, string][] = [
  ['v1', 'Service'],
  ['v1', 'Pod'],
  ['apps/v1', 'Deployment'],
  ['networking.istio.io/v1', 'VirtualService'],
  ['networking.istio.io/v1', 'DestinationRule'],
  ['networking.istio.io/v1', 'Gateway'],
  ['networking.istio.io/v1', 'ServiceEntry'],
  ['networking.istio.io/v1', 'WorkloadEntry'],
  ['security.istio.io/v1', 'PeerAuthentication'],
  ['authentication.istio.io/v1alpha1', 'Policy'],
  ['v1', 'ConfigMap'],
]

/** Values shaped like user YAML: right keys, wrong or random types. */
const KEYS = [
  'hosts',
  'http',
  'tcp',
  'tls',
  'route',
  'match',
  'destination',
  'host',
  'subset',
  'port',
  'number',
  'weight',
  'uri',
  'prefix',
  'regex',
  'exact',
  'headers',
  'retries',
  'attempts',
  'retryOn',
  'timeout',
  'fault',
  'delay',
  'abort',
  'percentage',
  'value',
  'mirror',
  'subsets',
  'labels',
  'trafficPolicy',
  'loadBalancer',
  'consistentHash',
  'portLevelSettings',
  'ports',
  'selector',
  'servers',
  'gateways',
  'sourceLabels',
  'name',
  'targetPort',
  'clusterIP',
  'endpoints',
  'resolution',
  'mtls',
  'mode',
  'redirect',
  'directResponse',
  'mesh',
  'replicas',
  'template',
  'metadata',
  'spec',
  'status',
  'podIP',
  'outlierDetection',
  'connectionPool',
  'tls',
]

const leaf = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -5, max: 70000 }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('*', '/', 'reviews', 'v1', '9080', 'STRICT', 'ROUND_ROBIN', '(', '1s', 'mesh', 'http'),
)
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('arr'), tie('obj')),
  arr: fc.array(tie('tree'), { maxLength: 3 }),
  obj: fc.dictionary(fc.constantFrom(...KEYS), tie('tree'), { maxKeys: 5 }),
}))

const resource = fc
  .record({
    kind: fc.constantFrom(...KINDS),
    name: fc.constantFrom('reviews', 'a', 'istio'),
    ns: fc.constantFrom('default', 'istio-system', undefined),
    spec: tree,
    data: tree,
  })
  .map(({ kind, name, ns, spec, data }): Resource => {
    const metadata = { name, ...(ns ? { namespace: ns } : {}) }
    return {
      apiVersion: kind[0],
      kind: kind[1],
      metadata,
      body: { apiVersion: kind[0], kind: kind[1], metadata, spec, data },
    }
  })

describe('robustness', () => {
  it('never throws on arbitrary config shapes', () => {
    fc.assert(
      fc.property(fc.array(resource, { maxLength: 8 }), (resources) => {
        const snap = buildSnapshot(resources)
        for (const node of [syntheticSidecar('default', { app: 'reviews' }), ingressGatewayNode()]) {
          const { config } = compileProxy(snap, node)
          assert.equal(typeof config.version, 'string')
          explainRequest(config, { url: 'http://reviews:9080/x', headers: { cookie: 'a=b' } })
        }
      }),
      { numRuns: 300 },
    )
  })
})
