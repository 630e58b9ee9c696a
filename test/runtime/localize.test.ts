/** Compiled configs fitted to the machine: listener clones per address, inbound clusters to the app address. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Cluster, Listener, ProxyConfig } from '../../src/proxyconfig/types.ts'
import { localizeConfig } from '../../src/runtime/mesh/localize.ts'

const cluster = (
  name: string,
  direction: 'inbound' | 'outbound',
  address: string,
  port: number,
): Cluster => ({
  name,
  type: 'eds',
  direction,
  protocol: 'http1',
  endpoints: [{ address, port, ready: true, labels: {} }],
  lb: { kind: 'ROUND_ROBIN' },
  connectTimeoutMs: 1000,
  circuitBreaker: {},
})

const listener = (
  name: string,
  direction: Listener['direction'],
  address: string,
  port: number,
): Listener => ({
  name,
  direction,
  address,
  port,
  protocol: 'http',
  routeTable: name,
})

const config = (listeners: Listener[], clusters: Cluster[]): ProxyConfig =>
  ({
    version: 'v',
    node: {} as ProxyConfig['node'],
    mesh: {} as ProxyConfig['mesh'],
    listeners,
    routeTables: {},
    clusters: Object.fromEntries(clusters.map((c) => [c.name, c])),
  }) as ProxyConfig

test('a sidecar: wildcard outbound listeners cloned per service address, inbound on the pod IP, app address upstream', () => {
  const c = config(
    [
      listener('0.0.0.0_8080', 'outbound', '0.0.0.0', 8080),
      listener('virtualInbound_8080', 'inbound', '0.0.0.0', 8080),
    ],
    [
      cluster('inbound|8080||', 'inbound', '127.0.0.1', 8080),
      cluster('outbound|8080||a', 'outbound', '127.244.0.9', 8080),
    ],
  )
  const out = localizeConfig(c, {
    role: 'sidecar',
    podIP: '127.244.0.3',
    appAddress: '127.245.0.3',
    bindsFor: (l) =>
      l.direction === 'outbound'
        ? [
            { host: '127.100.3.1', port: l.port },
            { host: '127.100.3.2', port: l.port },
          ]
        : [],
  })
  assert.deepEqual(
    out.config.listeners.map((l) => l.name),
    ['0.0.0.0_8080', '0.0.0.0_8080@127.100.3.2', 'virtualInbound_8080'],
  )
  assert.deepEqual(out.binds.get('0.0.0.0_8080@127.100.3.2'), { host: '127.100.3.2', port: 8080 })
  assert.deepEqual(out.binds.get('virtualInbound_8080'), { host: '127.244.0.3', port: 8080 })
  assert.equal(out.config.clusters['inbound|8080||']?.endpoints[0]?.address, '127.245.0.3')
  assert.equal(out.config.clusters['outbound|8080||a']?.endpoints[0]?.address, '127.244.0.9')
  assert.equal(c.clusters['inbound|8080||']?.endpoints[0]?.address, '127.0.0.1', 'input unchanged')
})

test('a gateway: port 80 on the gateway port, 8080 too when there is no port-80 server, others on any port', () => {
  const net = {
    role: 'gateway' as const,
    podIP: '127.244.0.1',
    appAddress: '127.244.0.1',
    bindsFor: () => [],
    gatewayPort: 18080,
  }
  const one = localizeConfig(config([listener('0.0.0.0_8080', 'gateway', '0.0.0.0', 8080)], []), net)
  assert.deepEqual(one.binds.get('0.0.0.0_8080'), { host: '127.0.0.1', port: 18080 })
  const two = localizeConfig(
    config(
      [
        listener('0.0.0.0_80', 'gateway', '0.0.0.0', 80),
        listener('0.0.0.0_8080', 'gateway', '0.0.0.0', 8080),
      ],
      [],
    ),
    net,
  )
  assert.deepEqual(two.binds.get('0.0.0.0_80'), { host: '127.0.0.1', port: 18080 })
  assert.deepEqual(two.binds.get('0.0.0.0_80@127.244.0.1'), { host: '127.244.0.1', port: 8080 })
  assert.deepEqual(two.binds.get('0.0.0.0_8080'), { host: '127.0.0.1', port: 0 })
  assert.equal(two.binds.has('0.0.0.0_8080@127.244.0.1'), false, 'port 8080 in the pod is the port-80 server')
})
