/**
 * @module proxy/admin — the admin server on loopback: `/stats/prometheus`, `/config_dump`, `/clusters`,
 * `/healthz/ready`, `/logging`, `/spans`. Read-only except `POST /logging?level=…`.
 */
import { createServer, type Server } from 'node:http'
import { performance } from 'node:perf_hooks'
import { isEjected } from './cluster/outlier.ts'
import type { Metrics } from './observe/metrics.ts'
import type { Tracer } from './observe/trace.ts'
import type { ProxyRuntime } from './runtime.ts'

/** What the admin server reads. */
export interface AdminDeps {
  runtime(): ProxyRuntime
  metrics: Metrics
  tracer: Tracer
  ready(): boolean
  logging: { level: string }
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'])

/** Creates (not yet listening) the admin server. */
export function createAdminServer(deps: AdminDeps): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin')
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) })
      res.end(body)
    }
    const json = (v: unknown) => send(200, 'application/json', `${JSON.stringify(v, null, 2)}\n`)
    switch (url.pathname) {
      case '/stats/prometheus':
        return send(200, 'text/plain; version=0.0.4', deps.metrics.render())
      case '/config_dump':
        // Private keys never leave the proxy (Envoy redacts secrets in its config dump too).
        return send(
          200,
          'application/json',
          `${JSON.stringify(deps.runtime().config, (k, v) => (k === 'privateKey' && typeof v === 'string' ? '[redacted]' : v), 2)}\n`,
        )
      case '/clusters':
        return url.searchParams.get('format') === 'json'
          ? json(clustersJson(deps))
          : send(200, 'text/plain', clustersText(deps))
      case '/healthz/ready':
        return deps.ready() ? send(200, 'text/plain', 'LIVE\n') : send(503, 'text/plain', 'DRAINING\n')
      case '/spans':
        return json(deps.tracer.spans())
      case '/logging': {
        const level = url.searchParams.get('level')
        if (req.method === 'POST' && level) {
          if (!LEVELS.has(level)) return send(400, 'text/plain', `unknown level ${level}\n`)
          deps.logging.level = level
        }
        return send(200, 'text/plain', `active loggers:\n  proxy: ${deps.logging.level}\n`)
      }
      default:
        return send(
          404,
          'text/plain',
          'not found; try /stats/prometheus /config_dump /clusters /healthz/ready /logging /spans\n',
        )
    }
  })
}

function clustersJson(deps: AdminDeps) {
  const now = performance.now()
  return [...deps.runtime().clusters.values()].map((c) => ({
    name: c.config.name,
    type: c.config.type,
    lb: c.config.lb.kind,
    active: c.counters.active,
    endpoints: c.endpoints.map((e) => ({
      address: `${e.endpoint.address}:${e.endpoint.port}`,
      health: e.endpoint.ready ? 'healthy' : 'unready',
      ejected: isEjected(e, now),
      ejections: e.ejections,
      consecutive5xx: e.consecutive5xx,
      consecutiveGatewayErrors: e.consecutiveGateway,
      active: e.active,
    })),
  }))
}

function clustersText(deps: AdminDeps): string {
  const lines: string[] = []
  for (const c of clustersJson(deps)) {
    for (const e of c.endpoints) {
      const p = `${c.name}::${e.address}`
      const flags = [
        e.health === 'healthy' ? 'healthy' : '/failed_eds_health',
        e.ejected ? '/failed_outlier_check' : '',
      ]
      lines.push(
        `${p}::health_flags::${flags.join('')}`,
        `${p}::rq_active::${e.active}`,
        `${p}::outlier::ejections::${e.ejections}`,
      )
    }
  }
  return `${lines.join('\n')}\n`
}
