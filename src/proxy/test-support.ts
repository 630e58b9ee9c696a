/**
 * @module proxy/test-support — hand-written configs, tiny upstreams and a client for the proxy's tests.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type {
  Cluster,
  Endpoint,
  HttpListener,
  ProxyConfig,
  Route,
  RoutePolicy,
  TcpListener,
  VirtualHost,
} from '../proxyconfig/types.ts'
import { type ProxyHandle, startProxy } from './proxy.ts'

/** A tiny upstream that answers via `handler` (default: 200 with its name) and records requests. */
export interface Upstream {
  server: Server
  port: number
  name: string
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[]
  close(): Promise<void>
}

/** Starts an upstream on 127.0.0.1:0. */
export async function startUpstream(
  name: string,
  handler?: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<Upstream> {
  const up: Upstream = {
    server: undefined as never,
    port: 0,
    name,
    requests: [],
    close: () =>
      new Promise((r) => {
        up.server.close(() => r())
        up.server.closeAllConnections()
      }),
  }
  up.server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      up.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      if (handler) return handler(req, res, body)
      res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name })
      res.end(name)
    })
  })
  await new Promise<void>((r) => up.server.listen(0, '127.0.0.1', () => r()))
  up.port = (up.server.address() as AddressInfo).port
  return up
}

/** An endpoint for an upstream. */
export function endpoint(port: number, extra: Partial<Endpoint> = {}): Endpoint {
  return { address: '127.0.0.1', port, ready: true, labels: {}, ...extra }
}

/** A cluster with defaults. */
export function cluster(name: string, endpoints: Endpoint[], extra: Partial<Cluster> = {}): Cluster {
  return {
    name,
    type: 'eds',
    direction: 'outbound',
    protocol: 'http1',
    endpoints,
    lb: { kind: 'LEAST_REQUEST' },
    connectTimeoutMs: 1000,
    circuitBreaker: {},
    ...extra,
  }
}

/** A route forwarding to one cluster. */
export function forwardRoute(
  clusterName: string,
  policy: RoutePolicy = {},
  extra: Partial<Route> = {},
): Route {
  return {
    match: {},
    action: { kind: 'forward', backends: [{ cluster: clusterName, weight: 100 }] },
    policy,
    ...extra,
  }
}

/** A config with one HTTP listener `http` (route table `rt`) and optional TCP listeners. */
export function httpConfig(
  vhosts: VirtualHost[],
  clusters: Cluster[],
  extra: {
    direction?: HttpListener['direction']
    tcp?: TcpListener[]
    mesh?: Partial<ProxyConfig['mesh']>
  } = {},
): ProxyConfig {
  return {
    version: 'test',
    node: {
      id: 'productpage-v1-1.default',
      role: 'sidecar',
      namespace: 'default',
      workload: 'productpage-v1',
      labels: { app: 'productpage', version: 'v1' },
      serviceAccount: 'bookinfo-productpage',
      identity: 'spiffe://cluster.local/ns/default/sa/bookinfo-productpage',
    },
    mesh: {
      outboundTrafficPolicy: 'ALLOW_ANY',
      trustDomain: 'cluster.local',
      accessLog: { enabled: false, format: 'text' },
      connectTimeoutMs: 1000,
      tracing: { samplingPercent: 0 },
      ...extra.mesh,
    },
    listeners: [
      {
        name: 'http',
        direction: extra.direction ?? 'outbound',
        address: '127.0.0.1',
        port: 0,
        protocol: 'http',
        routeTable: 'rt',
      },
      ...(extra.tcp ?? []),
    ],
    routeTables: { rt: { name: 'rt', virtualHosts: vhosts } },
    clusters: Object.fromEntries(clusters.map((c) => [c.name, c])),
  }
}

/** A virtual host for `domains` with `routes`. */
export function vhost(
  name: string,
  domains: string[],
  routes: Route[],
  extra: Partial<VirtualHost> = {},
): VirtualHost {
  return { name, domains, routes, ...extra }
}

/** Starts a proxy whose listeners bind 127.0.0.1 on free ports. */
export function startTestProxy(config: ProxyConfig, log: string[] = []): Promise<ProxyHandle> {
  return startProxy({
    config,
    bind: () => ({ host: '127.0.0.1', port: 0 }),
    log: (line) => {
      log.push(line)
    },
  })
}

/** The response of `send`. */
export interface Reply {
  status: number
  headers: IncomingMessage['headers']
  body: string
}

/** Sends one request through a listener and reads the whole response (no keep-alive reuse). */
export function send(
  port: number,
  opts: {
    path?: string
    method?: string
    host?: string
    headers?: Record<string, string>
    body?: string
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: opts.path ?? '/',
        method: opts.method ?? 'GET',
        headers: { host: opts.host ?? 'svc', ...opts.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.setTimeout(10_000, () => req.destroy(new Error('client timeout')))
    req.end(opts.body)
  })
}

/** The port of the `http` listener. */
export function httpPort(p: ProxyHandle): number {
  return p.addresses().http!.port
}
