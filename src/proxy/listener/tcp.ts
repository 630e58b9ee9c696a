/**
 * @module proxy/listener/tcp — a TCP proxy listener: first matching TCP route (destination subnet),
 * else the default cluster; BlackHoleCluster closes the connection. Bytes are counted both ways and
 * piped with backpressure.
 */
import { connect, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { connect as tlsConnect } from 'node:tls'
import type { Endpoint, TcpListener, TcpRoute } from '../../proxyconfig/types.ts'
import { type ClusterRegistry, type ClusterState, pickEndpoint } from '../cluster/cluster.ts'
import { recordOutcome } from '../cluster/outlier.ts'
import { pickWeighted } from '../cluster/weighted.ts'
import { labelValues } from '../observe/labels.ts'
import type { Metrics } from '../observe/metrics.ts'
import type { ProxyRuntime } from '../runtime.ts'
import { tcpAuthzDenial } from '../security/enforce.ts'
import { peerIdentity } from '../security/peer.ts'
import type { CertStore } from '../security.ts'
import { upstreamTls } from '../upstream/tls.ts'
import { parseSni, sniMatches } from './sni.ts'

/** What the TCP listener needs from the proxy. */
export interface TcpDeps {
  runtime(): ProxyRuntime
  registry: ClusterRegistry
  metrics: Metrics
  originalDestination(localAddress: string, localPort: number): { host: string; port: number } | undefined
  log(line: string): void
  certs: CertStore
}

/** True when `ip` (v4) lies in `cidr`. */
export function inSubnet(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/')
  const bits = bitsText === undefined ? 32 : Number(bitsText)
  const a = ipv4(ip.replace(/^::ffff:/, ''))
  const b = ipv4(net ?? '')
  if (a === undefined || b === undefined) return ip === net
  if (bits === 0) return true
  const mask = (~0 << (32 - bits)) >>> 0
  return (a & mask) === (b & mask)
}

function ipv4(s: string): number | undefined {
  const p = s.split('.')
  if (p.length !== 4) return undefined
  let n = 0
  for (const x of p) {
    const v = Number(x)
    if (!Number.isInteger(v) || v < 0 || v > 255) return undefined
    n = n * 256 + v
  }
  return n
}

function pickRoute(routes: TcpRoute[], dst: string, sni: string | undefined): TcpRoute | undefined {
  for (const r of routes) {
    const subnets = r.match.destinationSubnets
    if (subnets && subnets.length > 0 && !subnets.some((c) => inSubnet(dst, c))) continue
    const hosts = r.match.sniHosts
    if (hosts && hosts.length > 0 && !sniMatches(hosts, sni)) continue
    return r
  }
  return undefined
}

/**
 * Logs a connection the listener refused before any filter ran (plaintext on a STRICT port: Envoy's
 * `NR filter_chain_not_found`).
 */
export function logRefused(deps: TcpDeps, down: Socket, cluster: string, details: string): void {
  logTcp(deps, deps.runtime(), down, Date.now(), cluster, '-', 'NR', 0, 0, { response: details })
}

/** Handles one accepted downstream connection (reading the TLS ClientHello first when routes match SNI). */
export function handleTcp(deps: TcpDeps, listener: TcpListener, down: Socket): void {
  if (!listener.routes.some((r) => r.match.sniHosts?.length)) {
    proxyTcp(deps, listener, down, undefined)
    return
  }
  down.pause()
  const timer = setTimeout(() => down.destroy(), 10_000)
  down.once('data', (first: Buffer) => {
    clearTimeout(timer)
    down.pause()
    down.unshift(first)
    proxyTcp(deps, listener, down, parseSni(first))
  })
  down.once('error', () => clearTimeout(timer))
  down.resume()
}

function proxyTcp(deps: TcpDeps, listener: TcpListener, down: Socket, sni: string | undefined): void {
  const rt = deps.runtime()
  const dstAddr = down.localAddress ?? ''
  const principal = peerIdentity(down)
  const denied = tcpAuthzDenial(rt.config.authz, {
    direction: listener.direction,
    principal,
    sourceIp: down.remoteAddress ?? '',
    destinationIp: dstAddr,
    port: listener.port,
    sni,
  })
  if (denied) {
    logTcp(deps, rt, down, Date.now(), listener.defaultCluster, '-', '-', 0, 0, { termination: denied })
    down.destroy()
    return
  }
  const orig = deps.originalDestination(dstAddr, down.localPort ?? 0)
  const route = pickRoute(listener.routes, orig?.host ?? listener.address, sni)
  let clusterName = listener.defaultCluster
  if (route && route.backends.length > 0) {
    clusterName = pickWeighted(route.backends).cluster
  }
  const cs = rt.clusters.get(clusterName)
  let ep: Endpoint | undefined
  let epState: ReturnType<typeof pickEndpoint>
  if (cs && cs.config.type === 'originalDst') {
    if (orig) ep = { address: orig.host, port: orig.port, ready: true, labels: {} }
  } else if (cs && cs.config.type !== 'blackhole') {
    epState = pickEndpoint(cs, {}, performance.now())
    ep = epState?.endpoint
  }
  const service =
    clusterName === 'BlackHoleCluster' ||
    clusterName === 'PassthroughCluster' ||
    clusterName === 'InboundPassthroughCluster'
      ? { host: clusterName, name: clusterName, namespace: 'unknown' }
      : (listener.service ?? cs?.config.service)
  const flags = !ep ? 'UH' : '-'
  const tls = cs && ep ? upstreamTls(cs.config, ep, deps.certs) : undefined
  const series = deps.metrics.tcp(
    labelValues(
      {
        inbound: listener.direction === 'inbound',
        node: rt.config.node,
        trustDomain: rt.config.mesh.trustDomain,
        peer: undefined,
        endpoint: ep,
        service,
        protocol: 'tcp',
        responseCode: 0,
        grpcStatus: '',
        flags,
        peerPrincipal: principal,
        upstreamMtls: tls?.mesh === true,
      },
      true,
    ),
  )
  series.opened++
  const started = Date.now()
  if (!ep) {
    series.closed++
    logTcp(deps, rt, down, started, clusterName, '-', 'UH', 0, 0)
    down.destroy()
    return
  }
  const timeout = cs?.config.connectTimeoutMs ?? 10_000
  const up = tls
    ? tlsConnect({ ...tls.options, host: ep.address, port: ep.port, timeout })
    : connect({ host: ep.address, port: ep.port, allowHalfOpen: true, timeout })
  let connected = false
  up.once(tls ? 'secureConnect' : 'connect', () => {
    connected = true
    up.setTimeout(0)
    if (epState && cs)
      recordOutcome(cs.config.outlierDetection, epState, cs.endpoints, { status: 200 }, performance.now())
  })
  up.once('timeout', () => up.destroy(new Error('connect timeout')))
  down.pipe(up)
  up.pipe(down)
  let failed = false
  let open = 2
  const finish = () => {
    if (--open > 0) return
    if (!connected && epState && cs) failConnect(cs, epState)
    series.closed++
    series.sent += up.bytesRead
    series.received += down.bytesRead
    const flag = failed && !connected ? 'UF' : '-'
    logTcp(
      deps,
      rt,
      down,
      started,
      clusterName,
      `${ep.address}:${ep.port}`,
      flag,
      down.bytesRead,
      up.bytesRead,
    )
  }
  up.on('error', () => {
    failed = true
    down.destroy()
  })
  down.on('error', () => up.destroy())
  up.once('close', () => {
    if (!down.destroyed) down.end()
    finish()
  })
  down.once('close', () => {
    if (!up.destroyed) up.destroy()
    finish()
  })
}

function failConnect(cs: ClusterState, ep: NonNullable<ReturnType<typeof pickEndpoint>>): void {
  recordOutcome(cs.config.outlierDetection, ep, cs.endpoints, { localFailure: true }, performance.now())
}

function logTcp(
  deps: TcpDeps,
  rt: ProxyRuntime,
  down: Socket,
  started: number,
  cluster: string,
  upstreamHost: string,
  flags: string,
  received: number,
  sent: number,
  /** `%RESPONSE_CODE_DETAILS%` and `%CONNECTION_TERMINATION_DETAILS%` (RBAC denials). */
  details: { response?: string; termination?: string } = {},
): void {
  const response = details.response ?? '-'
  const termination = details.termination ?? '-'
  const mesh = rt.config.mesh
  if (!mesh.accessLog.enabled) return
  const entry = {
    start_time: new Date(started).toISOString(),
    response_flags: flags,
    bytes_received: received,
    bytes_sent: sent,
    duration: Date.now() - started,
    upstream_host: upstreamHost,
    upstream_cluster: cluster,
    downstream_local_address: `${down.localAddress}:${down.localPort}`,
    downstream_remote_address: `${down.remoteAddress}:${down.remotePort}`,
    ...(details.response ? { response_code_details: details.response } : {}),
    ...(details.termination ? { connection_termination_details: details.termination } : {}),
  }
  if (mesh.accessLog.format === 'json') deps.log(`${JSON.stringify(entry)}\n`)
  else
    deps.log(
      `[${entry.start_time}] "- - -" 0 ${flags} ${response} ${termination} "-" ${received} ${sent} ${entry.duration} - "-" "-" "-" "-" ` +
        `"${upstreamHost}" ${cluster} - ${entry.downstream_local_address} ${entry.downstream_remote_address} - -\n`,
    )
}
