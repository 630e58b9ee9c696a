/** @module compile/gateway — listeners and route tables of a gateway from the Gateways selecting it. */
import { hostIntersection, splitServerHost } from '../model/host.ts'
import { arr, labelsMatch, num, obj, str, strList, strMap } from '../model/read.ts'
import type { ConfigEntry } from '../model/types.ts'
import type { Listener, Route, RouteTable, ServerTls, TcpRoute, VirtualHost } from '../proxyconfig/types.ts'
import { type CompileContext, configVisible, resolve } from './context.ts'
import { translateHttpRules } from './http-routes.ts'
import { boundGateways, isCatchAll } from './route-match.ts'
import { translateTcpRules } from './tcp-routes.ts'

interface Server {
  gw: ConfigEntry
  gwName: string
  port: number
  protocol: string
  hosts: { namespace: string; host: string }[]
  tls?: Record<string, unknown>
}

function serversFor(ctx: CompileContext): Server[] {
  const out: Server[] = []
  for (const gw of ctx.snapshot.gateways) {
    const sel = obj(gw.spec.selector)
    if (sel && !labelsMatch(strMap(sel), ctx.node.labels)) continue
    for (const s of arr(gw.spec.servers)) {
      const o = obj(s)
      const port = num(obj(o?.port)?.number)
      if (!o || port === undefined) continue
      const tls = obj(o.tls)
      out.push({
        gw,
        gwName: `${gw.namespace}/${gw.name}`,
        port,
        protocol: (str(obj(o.port)?.protocol) ?? 'HTTP').toUpperCase(),
        hosts: strList(o.hosts).map((h) => splitServerHost(h, gw.namespace)),
        ...(tls ? { tls } : {}),
      })
    }
  }
  return out
}

/**
 * TLS a gateway server terminates: SIMPLE, MUTUAL (OPTIONAL_MUTUAL verifies a client certificate
 * when one is sent; compiled as MUTUAL), ISTIO_MUTUAL (mesh certificates). PASSTHROUGH and
 * AUTO_PASSTHROUGH terminate nothing (TLS routes by SNI).
 */
function serverTls(tls: Record<string, unknown> | undefined): ServerTls | undefined {
  const raw = str(tls?.mode)?.toUpperCase()
  if (!tls) return undefined
  if (raw === 'ISTIO_MUTUAL') return { mode: 'ISTIO_MUTUAL', peerAuthentication: 'STRICT' }
  const mode = raw === 'OPTIONAL_MUTUAL' ? 'MUTUAL' : raw
  if (mode !== 'SIMPLE' && mode !== 'MUTUAL') return undefined
  const cred = str(tls.credentialName)
  const out: ServerTls = {
    mode,
    serverCertificate: str(tls.serverCertificate) ?? '',
    privateKey: str(tls.privateKey) ?? '',
    ...(cred ? { credentialName: cred } : {}),
  }
  const ca = str(tls.caCertificates)
  if (ca) out.caCertificates = ca
  const min = str(tls.minProtocolVersion)
  if (min) out.minProtocolVersion = min
  return out
}

/** VirtualServices bound to a gateway and visible to its namespace, with their resolved hosts. */
function boundTo(ctx: CompileContext, gwName: string, gwNs: string): { vs: ConfigEntry; hosts: string[] }[] {
  return ctx.snapshot.virtualServices
    .filter((vs) => configVisible(vs, gwNs) && boundGateways(vs).includes(gwName))
    .map((vs) => ({ vs, hosts: strList(vs.spec.hosts).map((h) => resolve(ctx, h, vs.namespace)) }))
}

/**
 * Gateway listeners: one per server port. HTTP (and terminated HTTPS) servers share the route table
 * `http.<port>` (`https.<port>`); each VirtualService host ∩ server host is a virtual host, routes of
 * several VirtualServices for it are merged (oldest first, catch-all routes moved last); a server with
 * no VirtualService gets `blackhole:<port>` (404 NR).
 */
export function buildGateway(ctx: CompileContext): {
  listeners: Listener[]
  routeTables: Record<string, RouteTable>
} {
  const byPort = new Map<number, Server[]>()
  for (const s of serversFor(ctx)) byPort.set(s.port, [...(byPort.get(s.port) ?? []), s])
  const listeners: Listener[] = []
  const routeTables: Record<string, RouteTable> = {}
  for (const [port, servers] of [...byPort.entries()].sort((a, b) => a[0] - b[0])) {
    const first = servers[0]
    if (!first) continue
    const terminated =
      (first.protocol === 'HTTPS' || first.protocol === 'HTTP') && serverTls(first.tls) !== undefined
    if (first.protocol === 'HTTP' || first.protocol === 'HTTP2' || first.protocol === 'GRPC' || terminated) {
      const table = `${terminated ? 'https' : 'http'}.${port}`
      const vhosts = new Map<string, { vh: VirtualHost; routes: { r: Route; rank: number }[] }>()
      for (const srv of servers) {
        for (const { vs, hosts } of boundTo(ctx, srv.gwName, srv.gw.namespace)) {
          for (const h of hosts) {
            for (const sh of srv.hosts) {
              if (sh.namespace !== '*' && sh.namespace !== vs.namespace) continue
              const host = hostIntersection(h, sh.host)
              if (!host) continue
              const key = host
              const entry = vhosts.get(key) ?? {
                vh: { name: `${host}:${port}`, domains: [host], routes: [] },
                routes: [],
              }
              if (entry.routes.some((x) => x.r.origin?.virtualService === vs.key)) continue
              const routes = translateHttpRules(ctx, vs, { port, gateway: srv.gwName })
              entry.routes.push(...routes.map((r) => ({ r, rank: vs.rank })))
              vhosts.set(key, entry)
            }
          }
        }
      }
      const list: VirtualHost[] = [...vhosts.values()].map(({ vh, routes }) => {
        const ordered = [
          ...routes.filter((x) => !isCatchAll(x.r.match)),
          ...routes.filter((x) => isCatchAll(x.r.match)),
        ]
        const redirect = servers.some((s) => s.tls?.httpsRedirect === true)
        const rs = ordered.map((x) => x.r)
        if (redirect)
          rs.unshift({ match: {}, action: { kind: 'redirect', status: 301, scheme: 'https' }, policy: {} })
        return { ...vh, routes: rs }
      })
      list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      if (list.length === 0) list.push({ name: `blackhole:${port}`, domains: ['*'], routes: [] })
      routeTables[table] = { name: table, virtualHosts: list }
      const tls = terminated ? serverTls(first.tls) : undefined
      listeners.push({
        name: `0.0.0.0_${port}`,
        direction: 'gateway',
        address: '0.0.0.0',
        port,
        protocol: 'http',
        routeTable: table,
        ...(tls ? { tls } : {}),
      })
      continue
    }
    const routes: TcpRoute[] = []
    const kind = first.protocol === 'TCP' || first.protocol === 'MONGO' ? 'tcp' : 'tls'
    for (const srv of servers)
      for (const { vs } of boundTo(ctx, srv.gwName, srv.gw.namespace))
        routes.push(...translateTcpRules(ctx, vs, { port, gateway: srv.gwName }, kind))
    listeners.push({
      name: `0.0.0.0_${port}`,
      direction: 'gateway',
      address: '0.0.0.0',
      port,
      protocol: 'tcp',
      routes,
      defaultCluster: 'BlackHoleCluster',
    })
  }
  return { listeners, routeTables }
}
