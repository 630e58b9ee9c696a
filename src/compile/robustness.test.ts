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

/** Structured random VirtualServices and DestinationRules over a fixed registry. */
const HOSTS = ['reviews', 'ratings', 'reviews.default.svc.cluster.local', 'nowhere', '*.example.com']
const SUBSETS = ['v1', 'v2', 'v9', undefined]
const destination = fc.record(
  {
    host: fc.constantFrom(...HOSTS),
    subset: fc.constantFrom(...SUBSETS),
    port: fc.option(fc.record({ number: fc.constantFrom(9080, 9090, 1) }), { nil: undefined }),
  },
  { requiredKeys: ['host'] },
)
const stringMatch = fc.oneof(
  fc.record({ exact: fc.constantFrom('/a', 'jason', '') }),
  fc.record({ prefix: fc.constantFrom('/', '/a', '/v2') }),
  fc.record({ regex: fc.constantFrom('.*', '/a.*', '(', '*') }),
  fc.constant({}),
)
const httpMatch = fc.record(
  {
    uri: stringMatch,
    headers: fc.dictionary(fc.constantFrom('end-user', 'cookie'), stringMatch, { maxKeys: 2 }),
    sourceLabels: fc.constantFrom({ app: 'client' }, { app: 'other' }),
    port: fc.constantFrom(9080, 80),
    gateways: fc.constantFrom(['mesh'], ['gw']),
  },
  { requiredKeys: [] },
)
const httpRule = fc.record(
  {
    match: fc.array(httpMatch, { maxLength: 3 }),
    route: fc.array(fc.record({ destination, weight: fc.integer({ min: -1, max: 100 }) }), {
      minLength: 1,
      maxLength: 3,
    }),
    timeout: fc.constantFrom('1s', '0s', 'x'),
    retries: fc.record({
      attempts: fc.integer({ min: -1, max: 5 }),
      retryOn: fc.constantFrom('5xx', '503,reset', ''),
    }),
    mirror: destination,
    fault: fc.record({ abort: fc.record({ httpStatus: fc.constant(500) }) }),
  },
  { requiredKeys: ['route'] },
)
const virtualService = fc.record({
  name: fc.constantFrom('a', 'b', 'c'),
  hosts: fc.array(fc.constantFrom(...HOSTS), { minLength: 1, maxLength: 2 }),
  gateways: fc.constantFrom(undefined, ['gw'], ['gw', 'mesh']),
  http: fc.array(httpRule, { maxLength: 4 }),
  tcp: fc.array(fc.record({ route: fc.array(fc.record({ destination }), { minLength: 1, maxLength: 2 }) }), {
    maxLength: 2,
  }),
})

const REGISTRY = `apiVersion: v1
kind: Service
metadata: {name: reviews}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}, {name: tcp, port: 9090}]}
---
apiVersion: v1
kind: Service
metadata: {name: ratings}
spec: {selector: {app: ratings}, ports: [{name: http, port: 9080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1}
spec: {template: {metadata: {labels: {app: reviews, version: v1}}}}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw}
spec: {selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec: {host: reviews, subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]}
`

const PORTS: Record<string, number[]> = {
  'reviews.default.svc.cluster.local': [9080, 9090],
  'ratings.default.svc.cluster.local': [9080],
}

describe('compiled config invariants (random VirtualServices)', () => {
  it('positive weights, and every missing cluster is an unknown host or an undefined subset', async () => {
    const { parseText } = await import('../api/load.ts')
    const base = parseText(REGISTRY, 'registry.yaml').resources
    fc.assert(
      fc.property(fc.array(virtualService, { maxLength: 3 }), (vss) => {
        const resources: Resource[] = [
          ...base,
          ...vss.map((spec): Resource => {
            const metadata = { name: spec.name, namespace: 'default' }
            const body = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata, spec }
            return {
              apiVersion: body.apiVersion,
              kind: body.kind,
              metadata,
              body: JSON.parse(JSON.stringify(body)),
            }
          }),
        ]
        const snap = buildSnapshot(resources)
        for (const node of [syntheticSidecar('default', { app: 'client' }), ingressGatewayNode()]) {
          const { config } = compileProxy(snap, node)
          for (const t of Object.values(config.routeTables))
            for (const vh of t.virtualHosts)
              for (const r of vh.routes) {
                if (r.action.kind !== 'forward') continue
                for (const b of r.action.backends) {
                  assert.ok(b.weight > 0, `weight ${b.weight}`)
                  if (config.clusters[b.cluster]) continue
                  const [, port, subset, host] = b.cluster.split('|')
                  const ports = PORTS[host ?? ''] ?? []
                  const subsets = host === 'reviews.default.svc.cluster.local' ? ['', 'v1', 'v2'] : ['']
                  assert.ok(
                    !ports.includes(Number(port)) || !subsets.includes(subset ?? ''),
                    `cluster ${b.cluster} should exist`,
                  )
                }
              }
        }
      }),
      { numRuns: 150 },
    )
  })
})
