/** @module xds/testing — helpers for tests and benchmarks of the push protocol: tiny configs, bounded waits. */
import type { Cluster, ProxyConfig } from '../proxyconfig/types.ts'
import { withVersion } from '../proxyconfig/version.ts'
import type { ProxyNode } from './protocol.ts'

/**
 * A small, valid ProxyConfig for `node` whose content (hence version) depends on `generation`, with
 * `services` extra EDS clusters of 3 endpoints each (to make configs of a realistic size in benchmarks).
 */
export function tinyConfig(node: ProxyNode, generation: string | number, services = 0): ProxyConfig {
  const ns = node.namespace ?? node.id.split('.').slice(-1)[0] ?? 'default'
  return withVersion({
    node: {
      id: node.id,
      role: node.role ?? 'sidecar',
      namespace: ns,
      workload: node.workload ?? node.id.split('.')[0] ?? node.id,
      labels: node.labels ?? {},
      serviceAccount: node.serviceAccount ?? 'default',
      identity: node.identity ?? `spiffe://cluster.local/ns/${ns}/sa/default`,
    },
    mesh: {
      outboundTrafficPolicy: 'ALLOW_ANY',
      trustDomain: 'cluster.local',
      accessLog: { enabled: false, format: 'text' },
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
    ],
    routeTables: {
      '9080': {
        name: '9080',
        virtualHosts: [
          {
            name: 'reviews.default.svc.cluster.local:9080',
            domains: ['reviews.default.svc.cluster.local', 'reviews'],
            routes: [
              {
                origin: { virtualService: 'reviews.default', rule: 0 },
                match: { path: { kind: 'prefix', value: '/' } },
                action: {
                  kind: 'forward',
                  backends: [
                    { cluster: `outbound|9080|${generation}|reviews.default.svc.cluster.local`, weight: 100 },
                  ],
                },
                policy: {},
              },
            ],
          },
        ],
      },
    },
    clusters: Object.fromEntries(
      Array.from({ length: services }, (_, i) => extraCluster(i)).map((c) => [c.name, c]),
    ),
  })
}

function extraCluster(i: number): Cluster {
  const host = `svc-${i}.default.svc.cluster.local`
  return {
    name: `outbound|8080||${host}`,
    type: 'eds',
    direction: 'outbound',
    service: { host, name: `svc-${i}`, namespace: 'default', port: 8080 },
    protocol: 'http1',
    endpoints: [1, 2, 3].map((n) => ({
      address: `127.1.${i % 250}.${n}`,
      port: 8080,
      ready: true,
      labels: { app: `svc-${i}` },
    })),
    lb: { kind: 'LEAST_REQUEST' },
    connectTimeoutMs: 10_000,
    circuitBreaker: {},
  }
}

/** Polls `cond` every 10 ms until it holds; throws after `timeoutMs` (default 5 s) naming `what`. */
export async function eventually(what: string, cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
