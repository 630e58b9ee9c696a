/**
 * @module proxy/upstream/upgrade — HTTP/1.1 Upgrade (WebSocket): the request is routed like any other
 * (virtual host, first route, weighted backend, breaker, picker), the head is re-serialised to the
 * picked endpoint, and from then on bytes are spliced both ways with backpressure. Local failures are
 * written as plain HTTP/1.1 responses before the socket closes.
 */
import type { IncomingMessage } from 'node:http'
import { connect, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { Duplex } from 'node:stream'
import type { HttpListener } from '../../proxyconfig/types.ts'
import { admit, pickEndpoint } from '../cluster/cluster.ts'
import { recordOutcome } from '../cluster/outlier.ts'
import { pickWeighted } from '../cluster/weighted.ts'
import { copyEndToEnd } from '../filters/headers.ts'
import { checkRequestHead } from '../listener/guard.ts'
import { FAILURES, type Failure } from '../respond.ts'
import { normalizePath, splitPath } from '../route/path.ts'
import { firstRoute } from '../route/table.ts'
import type { ProxyRuntime } from '../runtime.ts'

function refuse(socket: Duplex, f: Failure, server: string): void {
  const extra = f.flag === 'UO' ? 'x-envoy-overloaded: true\r\n' : ''
  socket.end(
    `HTTP/1.1 ${f.status} ${f.flag || 'Error'}\r\nserver: ${server}\r\ncontent-length: ${Buffer.byteLength(f.body)}\r\n` +
      `content-type: text/plain\r\n${extra}connection: close\r\n\r\n${f.body}`,
  )
}

/** Handles one Upgrade request on an HTTP listener. */
export function handleUpgrade(
  runtime: ProxyRuntime,
  listener: HttpListener,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
) {
  const server = listener.direction === 'outbound' ? 'envoy' : 'istio-envoy'
  socket.on('error', () => socket.destroy())
  const bad = checkRequestHead(req)
  if (bad) return refuse(socket, bad, server)
  const { path, query } = splitPath(req.url ?? '/')
  const normal = normalizePath(path)
  if (normal === undefined) return refuse(socket, FAILURES.invalidPath, server)
  const vh = runtime.tables.get(listener.routeTable)?.select(req.headers.host ?? '')
  const route = vh
    ? firstRoute(vh, {
        path: normal,
        query,
        method: req.method ?? 'GET',
        scheme: listener.tls ? 'https' : 'http',
        authority: req.headers.host ?? '',
        headers: req.headers,
      })
    : undefined
  if (route?.route.action.kind !== 'forward') return refuse(socket, FAILURES.noRoute, server)
  const backend = pickWeighted(route.route.action.backends)
  const cs = runtime.clusters.get(backend.cluster)
  if (!cs) return refuse(socket, FAILURES.noCluster, server)
  const overflow = admit(cs)
  if (overflow) return refuse(socket, overflow, server)
  const ep = pickEndpoint(cs, {}, performance.now())
  if (!ep) return refuse(socket, FAILURES.noHealthyUpstream, server)
  const headers = copyEndToEnd(req.headers)
  headers.connection = 'upgrade'
  if (req.headers.upgrade) headers.upgrade = req.headers.upgrade
  if (headers['x-forwarded-proto'] === undefined)
    headers['x-forwarded-proto'] = listener.tls ? 'https' : 'http'
  let text = `${req.method} ${query ? `${normal}?${query}` : normal} HTTP/1.1\r\n`
  for (const [k, v] of Object.entries(headers))
    for (const one of Array.isArray(v) ? v : [v]) text += `${k}: ${one}\r\n`
  const up: Socket = connect({
    host: ep.endpoint.address,
    port: ep.endpoint.port,
    timeout: cs.config.connectTimeoutMs,
  })
  cs.counters.active++
  ep.active++
  let connected = false
  let released = false
  const release = () => {
    if (released) return
    released = true
    cs.counters.active--
    ep.active--
  }
  up.once('connect', () => {
    connected = true
    up.setTimeout(0)
    up.write(`${text}\r\n`)
    if (head.length) up.write(head)
    up.pipe(socket)
    socket.pipe(up)
  })
  up.once('timeout', () => up.destroy(new Error('connect timeout')))
  up.on('error', () => {
    if (!connected) {
      recordOutcome(cs.config.outlierDetection, ep, cs.endpoints, { localFailure: true }, performance.now())
      refuse(socket, FAILURES.connectFailure, server)
    } else socket.destroy()
  })
  up.once('close', () => {
    release()
    if (connected) socket.end()
  })
  socket.once('close', () => {
    release()
    up.destroy()
  })
}
