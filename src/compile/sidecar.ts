/** @module compile/sidecar — a sidecar's outbound listeners and route tables, and its inbound listeners. */

import { hostCovers } from '../model/host.ts'
import { isHttpProtocol } from '../model/protocol.ts'
import { labelsMatch } from '../model/read.ts'
import type { Service } from '../model/types.ts'
import {
  BLACKHOLE_CLUSTER,
  type Cluster,
  type Listener,
  PASSTHROUGH_CLUSTER,
  type Route,
  type RouteTable,
  type TcpRoute,
  type VirtualHost,
} from '../proxyconfig/types.ts'
import {
  inboundCluster,
  inboundClusterName,
  outboundClusterName,
  serviceRef,
  targetPortOf,
} from './clusters.ts'
import { type CompileContext, servicesFor } from './context.ts'
import { hashPolicyOf, policyFor, ruleFor } from './destination-rule.ts'
import { defaultRetry, translateHttpRules } from './http-routes.ts'
import { inboundTlsFor } from './security/compile-glue.ts'
import { translateTcpRules } from './tcp-routes.ts'
import { meshVirtualServices, virtualServiceFor } from './virtual-services.ts'

/** Istio's alternative names of a service host as seen from `clientNs` (`GenerateAltVirtualHosts`). */
export function altDomains(svc: Service, clientNs: string): string[] {
  const out = new Set<string>([svc.host])
  if (svc.origin === 'kubernetes') {
    const parts = svc.host.split('.')
    const [name, ns] = parts
    if (name && ns) {
      if (ns === clientNs) out.add(name)
      out.add(`${name}.${ns}`)
      out.add(`${name}.${ns}.svc`)
    }
  }
  for (const a of svc.addresses) if (!a.includes('/')) out.add(a)
  return [...out]
}

/** The catch-all virtual host: `allow_any` (PassthroughCluster) or `block_all` (502) under REGISTRY_ONLY. */
export function catchAllHost(ctx: CompileContext): VirtualHost {
  if (ctx.outboundTrafficPolicy === 'REGISTRY_ONLY')
    return {
      name: 'block_all',
      domains: ['*'],
      routes: [{ match: {}, action: { kind: 'respond', status: 502 }, policy: {} }],
    }
  return {
    name: 'allow_any',
    domains: ['*'],
    routes: [
      {
        match: {},
        action: { kind: 'forward', backends: [{ cluster: PASSTHROUGH_CLUSTER, weight: 100 }] },
        policy: {},
      },
    ],
  }
}

/** The route of a service without VirtualService: the default retry policy, and the DR's hash policy. */
function defaultRoute(ctx: CompileContext, svc: Service, port: number): Route {
  const retry = defaultRetry(ctx)
  const hashPolicy = hashPolicyOf(policyFor(ruleFor(ctx, svc), port))
  const policy: Route['policy'] = {}
  if (retry) policy.retry = hashPolicy ? { ...retry, retryOtherHosts: false } : retry
  if (hashPolicy) policy.hashPolicy = hashPolicy
  return {
    origin: { virtualService: '', rule: 0, name: 'default' },
    match: {},
    action: {
      kind: 'forward',
      backends: [{ cluster: outboundClusterName(port, '', svc.host), weight: 100 }],
    },
    policy,
  }
}

/** Outbound listeners and route tables of a sidecar. */
export function buildSidecarOutbound(ctx: CompileContext): {
  listeners: Listener[]
  routeTables: Record<string, RouteTable>
} {
  const vss = meshVirtualServices(ctx)
  const reported = new Set<string>()
  const tables = new Map<number, VirtualHost[]>()
  const tcp = new Map<
    string,
    { port: number; address: string; routes: TcpRoute[]; def: string; svc?: Service }
  >()
  const passOrBlock = ctx.outboundTrafficPolicy === 'REGISTRY_ONLY' ? BLACKHOLE_CLUSTER : PASSTHROUGH_CLUSTER
  for (const s of ctx.services) {
    for (const p of s.ports) {
      if (p.protocol === 'udp') continue
      if (isHttpProtocol(p.protocol)) {
        const vs = virtualServiceFor(ctx, vss, s, 'http', reported)
        const routes = vs ? translateHttpRules(ctx, vs, { port: p.port }) : [defaultRoute(ctx, s, p.port)]
        const list = tables.get(p.port) ?? []
        list.push({
          name: `${s.host}:${p.port}`,
          domains: altDomains(s, ctx.node.namespace),
          routes,
          service: serviceRef(s, p.port),
        })
        tables.set(p.port, list)
        continue
      }
      const kind = p.protocol === 'tls' || p.protocol === 'https' ? 'tls' : 'tcp'
      const vs = virtualServiceFor(ctx, vss, s, kind, reported)
      const routes = vs ? translateTcpRules(ctx, vs, { port: p.port }, kind) : []
      const own = outboundClusterName(p.port, '', s.host)
      const address = s.addresses.find((a) => !a.includes('/'))
      if (address) {
        tcp.set(`${address}_${p.port}`, { port: p.port, address, routes, def: own, svc: s })
      } else if (kind === 'tls') {
        const key = `0.0.0.0_${p.port}`
        const l = tcp.get(key) ?? { port: p.port, address: '0.0.0.0', routes: [], def: passOrBlock }
        l.routes.push(...routes, { match: { sniHosts: [s.host] }, backends: [{ cluster: own, weight: 100 }] })
        tcp.set(key, l)
      } else if (!tcp.has(`0.0.0.0_${p.port}`)) {
        tcp.set(`0.0.0.0_${p.port}`, { port: p.port, address: '0.0.0.0', routes, def: own, svc: s })
      }
    }
  }
  // VirtualService hosts that are not services: a name under a wildcard ServiceEntry gets its own
  // virtual host on that entry's HTTP ports; a name no service covers gets one on port 80 (Istio keeps
  // this for compatibility).
  const claimed = new Set<string>()
  for (const { vs, hosts } of vss) {
    if (!Array.isArray(vs.spec.http)) continue
    for (const h of hosts) {
      if (h === '*' || h.startsWith('*') || ctx.snapshot.servicesByHost.has(h) || claimed.has(h)) continue
      if (ctx.services.some((s) => hostCovers(h, s.host))) continue
      claimed.add(h)
      const wild = servicesFor(ctx, h)
      const ports =
        wild.length > 0
          ? wild.flatMap((s) => s.ports.filter((p) => isHttpProtocol(p.protocol)).map((p) => p.port))
          : [80]
      for (const port of [...new Set(ports)]) {
        const list = tables.get(port) ?? []
        if (list.some((v) => v.domains.includes(h))) continue
        list.push({ name: `${h}:${port}`, domains: [h], routes: translateHttpRules(ctx, vs, { port }) })
        tables.set(port, list)
      }
    }
  }
  const listeners: Listener[] = []
  const routeTables: Record<string, RouteTable> = {}
  for (const [port, vhosts] of [...tables.entries()].sort((a, b) => a[0] - b[0])) {
    const name = String(port)
    vhosts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    routeTables[name] = { name, virtualHosts: [...vhosts, catchAllHost(ctx)] }
    listeners.push({
      name: `0.0.0.0_${port}`,
      direction: 'outbound',
      address: '0.0.0.0',
      port,
      protocol: 'http',
      routeTable: name,
    })
  }
  for (const [name, l] of tcp) {
    if (tables.has(l.port) && l.address === '0.0.0.0') continue
    listeners.push({
      name,
      direction: 'outbound',
      address: l.address,
      port: l.port,
      protocol: 'tcp',
      routes: l.routes,
      defaultCluster: l.def,
      ...(l.svc ? { service: serviceRef(l.svc, l.port) } : {}),
    })
  }
  listeners.push({
    name: 'virtualOutbound',
    direction: 'outbound',
    address: '0.0.0.0',
    port: 15001,
    protocol: 'tcp',
    routes: [],
    defaultCluster: passOrBlock,
  })
  return { listeners, routeTables }
}

/** Inbound listeners (one per workload port of the services selecting it) and their clusters. */
export function buildSidecarInbound(ctx: CompileContext): {
  listeners: Listener[]
  routeTables: Record<string, RouteTable>
  clusters: Record<string, Cluster>
} {
  const self = ctx.snapshot.workloads.find(
    (w) => w.name === ctx.node.name && w.namespace === ctx.node.namespace,
  )
  const listeners: Listener[] = []
  const routeTables: Record<string, RouteTable> = {}
  const clusters: Record<string, Cluster> = {}
  for (const s of ctx.snapshot.services) {
    if (s.origin !== 'kubernetes' || s.namespace !== ctx.node.namespace || !s.selector) continue
    if (!labelsMatch(s.selector, ctx.node.labels)) continue
    for (const p of s.ports) {
      if (p.protocol === 'udp') continue
      const tp = targetPortOf(self ?? { containerPorts: {} }, p) ?? p.port
      const cname = inboundClusterName(tp)
      if (clusters[cname]) continue
      const http = isHttpProtocol(p.protocol)
      clusters[cname] = inboundCluster(
        ctx,
        tp,
        http ? (p.protocol === 'http2' || p.protocol === 'grpc' ? 'http2' : 'http1') : 'tcp',
      )
      const serverTls = inboundTlsFor(ctx.snapshot, ctx.node, tp)
      const tls = serverTls ? { tls: serverTls } : {}
      const base = {
        name: `virtualInbound_${tp}`,
        direction: 'inbound' as const,
        address: '0.0.0.0',
        port: tp,
        ...tls,
      }
      if (http) {
        const table = `inbound|${tp}`
        routeTables[table] = {
          name: table,
          virtualHosts: [
            {
              name: `inbound|http|${tp}`,
              domains: ['*'],
              service: serviceRef(s, p.port),
              routes: [
                {
                  origin: { virtualService: '', rule: 0, name: 'default' },
                  match: {},
                  action: { kind: 'forward', backends: [{ cluster: cname, weight: 100 }] },
                  policy: {},
                },
              ],
            },
          ],
        }
        listeners.push({ ...base, protocol: 'http', routeTable: table })
      } else {
        listeners.push({
          ...base,
          protocol: 'tcp',
          routes: [],
          defaultCluster: cname,
          service: serviceRef(s, p.port),
        })
      }
    }
  }
  return { listeners, routeTables, clusters }
}
