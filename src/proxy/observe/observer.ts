/**
 * @module proxy/observe/observer — once per request (and per TCP connection): metrics, access log, span.
 */
import { performance } from 'node:perf_hooks'
import type { ProxyConfig } from '../../proxyconfig/types.ts'
import type { Exchange } from '../exchange.ts'
import { type AccessLogEntry, dash, formatJson, formatText } from './access-log.ts'
import { labelValues } from './labels.ts'
import type { Metrics } from './metrics.ts'
import type { Tracer } from './trace.ts'

/** Where access-log lines go (stdout by default). */
export type LogSink = (line: string) => void

/** Records one finished HTTP exchange. */
export function observeExchange(
  ex: Exchange,
  config: ProxyConfig,
  metrics: Metrics,
  tracer: Tracer,
  log: LogSink,
  bytes: { received: number; sent: number },
): void {
  const durationMs = performance.now() - ex.startMs
  const flags = ex.flags.size === 0 ? '-' : [...ex.flags].join(',')
  const inbound = ex.direction === 'inbound'
  const protocol = ex.protocol
  metrics.recordRequest(
    httpLabels(ex, config, inbound, protocol, flags),
    durationMs,
    bytes.received,
    bytes.sent,
  )
  if (config.mesh.accessLog.enabled) {
    const req = ex.req
    const entry: AccessLogEntry = {
      start_time: new Date(ex.startWall).toISOString(),
      method: ex.method,
      path: ex.originalPath ?? ex.url,
      protocol: req.httpVersionMajor === 2 ? 'HTTP/2' : `HTTP/${req.httpVersion}`,
      response_code: ex.responseCode,
      response_flags: flags,
      response_code_details: dash(ex.details),
      connection_termination_details: '-',
      upstream_transport_failure_reason: '-',
      bytes_received: bytes.received,
      bytes_sent: bytes.sent,
      duration: Math.round(durationMs),
      upstream_service_time: ex.upstreamServiceTimeMs === undefined ? '-' : String(ex.upstreamServiceTimeMs),
      x_forwarded_for: dash(str(req.headers['x-forwarded-for'])),
      user_agent: dash(str(req.headers['user-agent'])),
      request_id: ex.requestId,
      authority: dash(ex.authority),
      upstream_host: ex.upstreamHost,
      upstream_cluster: ex.clusterName,
      upstream_local_address: '-',
      downstream_local_address: `${ex.localAddress}:${ex.localPort}`,
      downstream_remote_address: `${ex.remoteAddress}:${ex.remotePort}`,
      requested_server_name: '-',
      route_name: ex.routeName,
    }
    log(config.mesh.accessLog.format === 'json' ? formatJson(entry) : formatText(entry))
  }
  if (ex.sampled && ex.traceId && ex.spanId) {
    const svc = ex.service
    tracer.finish(
      {
        traceId: ex.traceId,
        id: ex.spanId,
        ...(ex.parentSpanId ? { parentId: ex.parentSpanId } : {}),
        name: `${svc ? `${svc.host}${svc.port ? `:${svc.port}` : ''}` : ex.authority}${ex.path}`,
        kind: inbound ? 'SERVER' : 'CLIENT',
        timestamp: Math.round(ex.startWall * 1000),
        duration: Math.max(1, Math.round(durationMs * 1000)),
        localEndpoint: { serviceName: `${config.node.workload}.${config.node.namespace}` },
        tags: {
          'http.method': ex.method,
          'http.url': `${ex.scheme}://${ex.authority}${ex.url}`,
          'http.status_code': String(ex.responseCode),
          'http.protocol': `HTTP/${ex.req.httpVersion}`,
          response_flags: flags,
          upstream_cluster: ex.clusterName,
          'guid:x-request-id': ex.requestId,
          node_id: config.node.id,
          component: 'proxy',
          ...(ex.responseCode >= 500 || ex.responseCode === 0 ? { error: 'true' } : {}),
        },
      },
      config.mesh.tracing.zipkinUrl,
    )
  }
}

/** Small ids for config objects (node, endpoint, service), so that a cache key need not spell them out. */
const ids = new WeakMap<object, number>()
let nextId = 1

function idOf(o: object | undefined): number {
  if (!o) return 0
  let id = ids.get(o)
  if (id === undefined) {
    id = nextId++
    ids.set(o, id)
  }
  return id
}

/** Label values by a short key of what they are computed from; bounded (cleared when full). */
const labelCache = new Map<string, string[]>()
const LABEL_CACHE_MAX = 10_000

/**
 * The HTTP metric labels of an exchange. The 25 values are computed once per distinct (node, peer,
 * endpoint, service, protocol, code, flags, security) and reused, so that the metric store finds the
 * series by the identity of the array instead of joining 25 strings per request.
 */
function httpLabels(
  ex: Exchange,
  config: ProxyConfig,
  inbound: boolean,
  protocol: Exchange['protocol'],
  flags: string,
): string[] {
  const p = ex.peer
  // Free-form strings (from headers and certificates) are JSON-encoded so that no value can forge a key.
  const free =
    p || ex.grpcStatus || ex.peerPrincipal !== undefined
      ? JSON.stringify([
          ex.grpcStatus,
          ex.peerPrincipal ?? null,
          p?.workload,
          p?.namespace,
          p?.principal,
          p?.app,
          p?.version,
        ])
      : ''
  const key = `${idOf(config.node)}|${idOf(config.mesh)}|${inbound ? 1 : 0}|${idOf(ex.endpoint)}|${idOf(ex.service)}|${protocol}|${ex.responseCode}|${flags}|${ex.upstreamMtls ? 1 : 0}|${p ? 1 : 0}|${free}`
  let values = labelCache.get(key)
  if (!values) {
    values = labelValues(
      {
        inbound,
        node: config.node,
        trustDomain: config.mesh.trustDomain,
        peer: p,
        endpoint: ex.endpoint,
        service: ex.service,
        protocol,
        responseCode: ex.responseCode,
        grpcStatus: ex.grpcStatus,
        flags,
        peerPrincipal: ex.peerPrincipal,
        upstreamMtls: ex.upstreamMtls,
      },
      false,
    )
    if (labelCache.size >= LABEL_CACHE_MAX) labelCache.clear()
    labelCache.set(key, values)
  }
  return values
}

function str(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v
}
