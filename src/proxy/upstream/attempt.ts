/**
 * @module proxy/upstream/attempt — one attempt to one endpoint: HTTP/1.1 through the undici pool, or
 * HTTP/2 (gRPC, trailers passed through) through a session. The response is either streamed to the
 * client or, when the retry filter wants another attempt, discarded.
 */
import type { IncomingMessage } from 'node:http'
import type { ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2'
import { performance } from 'node:perf_hooks'
import { pipeline, Writable } from 'node:stream'
import type { Dispatcher } from 'undici'
import type { ClusterState } from '../cluster/cluster.ts'
import { type EndpointState, recordOutcome } from '../cluster/outlier.ts'
import type { Exchange } from '../exchange.ts'
import { copyEndToEnd, type HeaderBag } from '../filters/headers.ts'
import type { RetryOutcome } from '../filters/retry.ts'
import { FAILURES, type Failure } from '../respond.ts'
import type { CertStore } from '../security.ts'
import type { H2Sessions } from './h2.ts'
import type { PoolSet } from './pools.ts'
import { type UpstreamTlsChoice, upstreamTls } from './tls.ts'

/** How an attempt ended. */
export type AttemptResult =
  | { kind: 'forwarded' }
  | { kind: 'retry'; outcome: RetryOutcome }
  | { kind: 'failed'; outcome: RetryOutcome; failure: Failure }
  | { kind: 'aborted' }

/** One attempt's request and the hooks of the filters around it. */
export interface AttemptRequest {
  path: string
  headers: HeaderBag
  body: Buffer | IncomingMessage | null
  signal: AbortSignal
  retriable(o: RetryOutcome): boolean
  attemptsLeft: boolean
  onHeaders(): void
  responseOps(bag: HeaderBag): void
}

function discard(): Writable {
  return new Writable({
    write(_c, _e, cb) {
      cb()
    },
  })
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'EAI_AGAIN',
])

function failed(err: unknown): AttemptResult {
  const e = err as { code?: string; cause?: { code?: string } }
  const code = e.code ?? ''
  if (CONNECT_CODES.has(code) || CONNECT_CODES.has(e.cause?.code ?? ''))
    return { kind: 'failed', outcome: { kind: 'connectFailure' }, failure: FAILURES.connectFailure }
  const failure =
    code === 'ECONNRESET' || code === 'ERR_HTTP2_STREAM_ERROR'
      ? FAILURES.remoteReset
      : FAILURES.connectionTermination
  return { kind: 'failed', outcome: { kind: 'reset' }, failure }
}

/**
 * Decides what to do with response headers: 'retry' (discard) or 'forward' (headers written to the
 * client). Feeds outlier detection.
 */
function onResponse(
  cs: ClusterState,
  ep: EndpointState,
  ex: Exchange,
  a: AttemptRequest,
  started: number,
  statusCode: number,
  headers: Record<string, string | string[] | undefined>,
): { kind: 'retry'; outcome: RetryOutcome } | { kind: 'forward' } {
  const grpc = headers['grpc-status']
  const grpcStatus = typeof grpc === 'string' ? Number(grpc) : undefined
  recordOutcome(cs.config.outlierDetection, ep, cs.endpoints, { status: statusCode }, performance.now())
  const outcome: RetryOutcome = { kind: 'response', status: statusCode, grpcStatus }
  const retriable = a.retriable(outcome)
  if (retriable && a.attemptsLeft) return { kind: 'retry', outcome }
  if (retriable) ex.flags.add('URX')
  a.onHeaders()
  const res = ex.res
  if (res.destroyed || res.headersSent) return { kind: 'forward' }
  const out = copyEndToEnd(headers)
  const serviceTime = Math.round(performance.now() - started)
  ex.upstreamServiceTimeMs = serviceTime
  out['x-envoy-upstream-service-time'] = String(serviceTime)
  out.server = ex.serverHeader
  a.responseOps(out)
  if (grpcStatus !== undefined) ex.grpcStatus = String(grpcStatus)
  ex.responseCode = statusCode
  ex.details = 'via_upstream'
  res.writeHead(statusCode, out)
  return { kind: 'forward' }
}

/** Runs one attempt against `ep`. */
export function attemptOnce(
  pools: PoolSet,
  h2: H2Sessions,
  certs: CertStore,
  cs: ClusterState,
  ep: EndpointState,
  ex: Exchange,
  a: AttemptRequest,
): Promise<AttemptResult> {
  const started = performance.now()
  cs.counters.active++
  ep.active++
  const tls = upstreamTls(cs.config, ep.endpoint, certs)
  ex.upstreamMtls = tls?.mesh === true
  const run =
    cs.config.protocol === 'http2'
      ? attemptH2(h2, cs, ep, ex, a, started, tls)
      : attemptH1(pools, cs, ep, ex, a, started, tls)
  return run.then((r) => {
    cs.counters.active--
    ep.active--
    if (r.kind === 'failed')
      recordOutcome(cs.config.outlierDetection, ep, cs.endpoints, { localFailure: true }, performance.now())
    return r
  })
}

function attemptH1(
  pools: PoolSet,
  cs: ClusterState,
  ep: EndpointState,
  ex: Exchange,
  a: AttemptRequest,
  started: number,
  tls: UpstreamTlsChoice | undefined,
): Promise<AttemptResult> {
  const pool = pools.get(cs.config, ep.endpoint.address, ep.endpoint.port, tls)
  return new Promise<AttemptResult>((resolve) => {
    let verdict: AttemptResult | undefined
    const opts: Dispatcher.RequestOptions = {
      path: a.path,
      method: ex.method as Dispatcher.HttpMethod,
      headers: a.headers,
      body: a.body,
      signal: a.signal,
    }
    // undici takes the TLS server name from the Host header unless the request names one: keep the
    // cluster's SNI (Istio's `outbound_.<port>_.<subset>_.<host>`, or the DestinationRule `sni`).
    const servername = tls?.options.servername
    if (servername) (opts as { servername?: string }).servername = servername
    pool.stream(
      opts,
      ({ statusCode, headers }) => {
        const d = onResponse(cs, ep, ex, a, started, statusCode, headers as Record<string, string | string[]>)
        if (d.kind === 'retry') {
          verdict = d
          return discard()
        }
        verdict = { kind: 'forwarded' }
        return ex.res.destroyed ? discard() : ex.res
      },
      (err) => {
        if (!err) return resolve(verdict ?? { kind: 'forwarded' })
        if (verdict?.kind === 'forwarded') {
          ex.flags.add(a.signal.aborted ? 'UT' : 'UPE')
          if (!ex.res.destroyed) ex.res.destroy()
          return resolve(verdict)
        }
        if (verdict?.kind === 'retry') return resolve(verdict)
        if (a.signal.aborted) return resolve({ kind: 'aborted' })
        resolve(failed(err))
      },
    )
  })
}

const H2_FORBIDDEN = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
])

function attemptH2(
  sessions: H2Sessions,
  cs: ClusterState,
  ep: EndpointState,
  ex: Exchange,
  a: AttemptRequest,
  started: number,
  tls: UpstreamTlsChoice | undefined,
): Promise<AttemptResult> {
  return new Promise<AttemptResult>((resolve) => {
    let stream: ClientHttp2Stream
    const headers: Record<string, string | string[]> = {
      ':method': ex.method,
      ':path': a.path,
      ':scheme': tls ? 'https' : 'http',
      ':authority': String(a.headers.host ?? ex.authority),
    }
    for (const [k, v] of Object.entries(a.headers)) if (!H2_FORBIDDEN.has(k)) headers[k] = v
    try {
      const session = sessions.get(ep.endpoint.address, ep.endpoint.port, cs.config.connectTimeoutMs, tls)
      stream = session.request(headers, {
        endStream: a.body === null || (Buffer.isBuffer(a.body) && a.body.length === 0),
        signal: a.signal,
      })
    } catch (err) {
      return resolve(failed(err))
    }
    let verdict: AttemptResult | undefined
    let settled = false
    const settle = (r: AttemptResult) => {
      if (settled) return
      settled = true
      resolve(r)
    }
    stream.on('response', (h: IncomingHttpHeaders) => {
      const status = Number(h[':status'])
      const plain: Record<string, string | string[] | undefined> = {}
      for (const [k, v] of Object.entries(h)) if (k.charCodeAt(0) !== 58) plain[k] = v
      const d = onResponse(cs, ep, ex, a, started, status, plain)
      if (d.kind === 'retry') {
        verdict = d
        stream.resume()
        stream.once('close', () => settle(d))
        return
      }
      verdict = { kind: 'forwarded' }
      const res = ex.res
      stream.on('trailers', (t: IncomingHttpHeaders) => {
        const gs = t['grpc-status']
        if (typeof gs === 'string') ex.grpcStatus = gs
        const out: Record<string, string> = {}
        for (const [k, v] of Object.entries(t))
          if (k.charCodeAt(0) !== 58 && typeof v === 'string') out[k] = v
        if (ex.req.httpVersionMajor === 2) res.addTrailers(out)
      })
      stream.pipe(res)
      stream.once('close', () => settle({ kind: 'forwarded' }))
    })
    stream.on('error', (err) => {
      if (verdict?.kind === 'forwarded') {
        ex.flags.add(a.signal.aborted ? 'UT' : 'UPE')
        if (!ex.res.destroyed) ex.res.destroy()
        return settle(verdict)
      }
      if (verdict) return settle(verdict)
      if (a.signal.aborted) return settle({ kind: 'aborted' })
      settle(failed(err))
    })
    stream.once('close', () => {
      if (!verdict)
        settle(a.signal.aborted ? { kind: 'aborted' } : failed({ code: 'ERR_HTTP2_STREAM_ERROR' }))
    })
    if (Buffer.isBuffer(a.body)) {
      if (a.body.length > 0) stream.end(a.body)
    } else if (a.body) pipeline(a.body, stream, () => {})
  })
}
