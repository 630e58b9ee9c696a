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
    labelValues(
      {
        inbound,
        node: config.node,
        trustDomain: config.mesh.trustDomain,
        peer: ex.peer,
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
    ),
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

function str(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v
}
