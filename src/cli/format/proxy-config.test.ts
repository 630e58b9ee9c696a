/** @module cli/format/proxy-config.test — istioctl-style tables from a hand-written ProxyConfig. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Cluster, ProxyConfig } from '../../proxyconfig/types.ts'
import { withVersion } from '../../proxyconfig/version.ts'
import {
  clusterRows,
  describeDomains,
  describePath,
  endpointRows,
  formatProxyConfig,
  listenerRows,
  routeRows,
  sectionData,
} from './proxy-config.ts'

const cluster = (name: string, type: Cluster['type'], endpoints: Cluster['endpoints'] = []): Cluster => ({
  name,
  type,
  direction: name.startsWith('inbound') ? 'inbound' : 'outbound',
  protocol: 'http1',
  endpoints,
  lb: { kind: 'ROUND_ROBIN' },
  connectTimeoutMs: 10_000,
  circuitBreaker: {},
})

const REVIEWS_V1 = 'outbound|9080|v1|reviews.default.svc.cluster.local'
const REVIEWS = 'outbound|9080||reviews.default.svc.cluster.local'

const CONFIG: ProxyConfig = withVersion({
  node: {
    id: 'productpage-v1-abc.default',
    role: 'sidecar',
    namespace: 'default',
    workload: 'productpage-v1',
    labels: { app: 'productpage' },
    serviceAccount: 'bookinfo-productpage',
    identity: 'spiffe://cluster.local/ns/default/sa/bookinfo-productpage',
  },
  mesh: {
    outboundTrafficPolicy: 'ALLOW_ANY',
    trustDomain: 'cluster.local',
    accessLog: { enabled: true, format: 'text' },
    connectTimeoutMs: 10_000,
    tracing: { samplingPercent: 1 },
  },
  listeners: [
    {
      name: '0.0.0.0_9080',
      direction: 'outbound',
      address: '0.0.0.0',
      port: 9080,
      protocol: 'http',
      routeTable: '9080',
    },
    {
      name: '10.96.0.20_27017',
      direction: 'outbound',
      address: '10.96.0.20',
      port: 27017,
      protocol: 'tcp',
      routes: [
        {
          match: { destinationSubnets: ['10.96.0.20/32'] },
          backends: [{ cluster: 'outbound|27017||mongodb.default.svc.cluster.local', weight: 100 }],
        },
      ],
      defaultCluster: 'PassthroughCluster',
    },
  ],
  routeTables: {
    '9080': {
      name: '9080',
      virtualHosts: [
        {
          name: 'reviews.default.svc.cluster.local:9080',
          domains: [
            'reviews.default.svc.cluster.local',
            'reviews.default.svc.cluster.local:9080',
            'reviews',
            'reviews.default',
            '10.96.0.12',
          ],
          routes: [
            {
              origin: { virtualService: 'reviews.default', rule: 0, match: 0 },
              match: {
                path: { kind: 'prefix', value: '/api' },
                headers: [{ name: 'end-user', match: { kind: 'exact', value: 'jason' } }],
              },
              action: { kind: 'forward', backends: [{ cluster: REVIEWS_V1, weight: 100 }] },
              policy: {},
            },
            {
              match: {},
              action: { kind: 'forward', backends: [{ cluster: REVIEWS, weight: 100 }] },
              policy: {},
            },
          ],
        },
      ],
    },
  },
  clusters: {
    [REVIEWS_V1]: cluster(REVIEWS_V1, 'eds', [
      { address: '127.0.0.11', port: 9080, ready: true, labels: { version: 'v1' } },
      { address: '127.0.0.12', port: 9080, ready: false, labels: { version: 'v1' } },
    ]),
    [REVIEWS]: cluster(REVIEWS, 'eds'),
    'inbound|9080||': cluster('inbound|9080||', 'originalDst'),
    BlackHoleCluster: cluster('BlackHoleCluster', 'blackhole'),
    PassthroughCluster: cluster('PassthroughCluster', 'originalDst'),
  },
})

test('clusters are split into FQDN, port, subset, direction and an Envoy cluster type', () => {
  assert.deepEqual(
    clusterRows(CONFIG).map((r) => r.slice(1)),
    [
      ['', '9080', '-', 'inbound', 'ORIGINAL_DST', ''],
      ['BlackHoleCluster', '-', '-', '-', 'STATIC', ''],
      ['PassthroughCluster', '-', '-', '-', 'ORIGINAL_DST', ''],
      ['reviews.default.svc.cluster.local', '9080', '-', 'outbound', 'EDS', ''],
      ['reviews.default.svc.cluster.local', '9080', 'v1', 'outbound', 'EDS', ''],
    ],
  )
  assert.equal(clusterRows(CONFIG, { subset: 'v1' }).length, 1)
  assert.equal(clusterRows(CONFIG, { direction: 'inbound' }).length, 1)
})

test('the cluster table has istioctl’s header and aligned columns', () => {
  const text = formatProxyConfig(CONFIG, 'cluster', { fqdn: 'reviews' })
  const lines = text.trimEnd().split('\n')
  assert.match(lines[0]!, /^SERVICE FQDN\s+PORT\s+SUBSET\s+DIRECTION\s+TYPE\s+DESTINATION RULE$/)
  assert.equal(lines.length, 3)
  assert.equal(lines[1]!.indexOf('9080'), lines[0]!.indexOf('PORT'))
  assert.match(lines[2]!, /^reviews\.default\.svc\.cluster\.local\s+9080\s+v1\s+outbound\s+EDS$/)
})

test('listeners show the HTTP route table and one row per TCP route plus the default', () => {
  assert.deepEqual(
    listenerRows(CONFIG).map((r) => r.slice(1)),
    [
      ['0.0.0.0', '9080', 'Trans: raw_buffer; App: http/1.1,h2c', 'Route: 9080'],
      [
        '10.96.0.20',
        '27017',
        'Addr: 10.96.0.20/32',
        'Cluster: outbound|27017||mongodb.default.svc.cluster.local',
      ],
      ['10.96.0.20', '27017', 'ALL', 'PassthroughCluster'],
    ],
  )
  assert.match(formatProxyConfig(CONFIG, 'listener'), /^ADDRESSES\s+PORT\s+MATCH\s+DESTINATION\n/)
})

test('routes name the route table, virtual host, domains, path match and VirtualService', () => {
  assert.deepEqual(routeRows(CONFIG), [
    [
      '9080',
      'reviews.default.svc.cluster.local:9080',
      'reviews.default.svc.cluster.local, reviews + 2 more...',
      '/api*',
      'reviews.default',
    ],
    [
      '9080',
      'reviews.default.svc.cluster.local:9080',
      'reviews.default.svc.cluster.local, reviews + 2 more...',
      '/*',
      '',
    ],
  ])
  assert.match(formatProxyConfig(CONFIG, 'route'), /^NAME\s+VHOST NAME\s+DOMAINS\s+MATCH\s+VIRTUAL SERVICE\n/)
  assert.equal(routeRows(CONFIG, { name: '80' }).length, 0)
})

test('domain and path summaries follow istioctl', () => {
  assert.equal(describeDomains(['*']), '*')
  assert.equal(describeDomains(['a', 'a:80']), 'a')
  assert.equal(describeDomains(['a', 'b', 'c', 'd']), 'a, b + 2 more...')
  assert.equal(describePath({ kind: 'exact', value: '/productpage' }), '/productpage')
  assert.equal(describePath({ kind: 'prefix', value: '/' }), '/*')
  assert.equal(describePath({ kind: 'regex', value: '/v[0-9]+' }), 'regex /v[0-9]+')
})

test('endpoints list address:port, health from readiness, and the cluster', () => {
  assert.deepEqual(endpointRows(CONFIG), [
    ['127.0.0.11:9080', 'HEALTHY', 'OK', REVIEWS_V1],
    ['127.0.0.12:9080', 'UNHEALTHY', 'OK', REVIEWS_V1],
  ])
  assert.equal(endpointRows(CONFIG, { status: 'healthy' }).length, 1)
  assert.match(formatProxyConfig(CONFIG, 'endpoint'), /^ENDPOINT\s+STATUS\s+OUTLIER CHECK\s+CLUSTER\n/)
})

test('all prints every section, clusters and listeners with a NAME column; json sections are the config’s parts', () => {
  const text = formatProxyConfig(CONFIG, 'all')
  assert.match(text, /^NAME\s+SERVICE FQDN\s+PORT/)
  assert.match(text, /\nNAME\s+ADDRESSES\s+PORT\s+MATCH\s+DESTINATION\n0\.0\.0\.0_9080 /)
  assert.match(text, /\nENDPOINT\s+STATUS/)
  assert.deepEqual(sectionData(CONFIG, 'all'), CONFIG)
  assert.equal((sectionData(CONFIG, 'cluster') as unknown[]).length, 5)
  assert.deepEqual(sectionData(CONFIG, 'listener'), CONFIG.listeners)
})
