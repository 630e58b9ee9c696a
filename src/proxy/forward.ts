import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { Endpoint, ForwardAction, HttpListener, ServiceRef } from '../proxyconfig/types.ts'
import {
  admit,
  admitRetry,
  type ClusterRegistry,
  type ClusterState,
  pickEndpoint,
} from './cluster/cluster.ts'
import { computeHash } from './cluster/hash-policy.ts'
import type { EndpointState } from './cluster/outlier.ts'
import { pickWeighted } from './cluster/weighted.ts'
import { createExchange, type Exchange, readPeerMetadata } from './exchange.ts'
import { originAllowed, preflightHeaders, responseHeaders } from './filters/cors.ts'
import { decideFault, grpcCode } from './filters/fault.ts'
import { applyHeaderOps, copyEndToEnd, type HeaderBag } from './filters/headers.ts'
import { sendMirrors } from './filters/mirror.ts'
import { backoffMs, isRetriable, type RetryOutcome, retryOverride } from './filters/retry.ts'
import { redirectLocation } from './filters/rewrite.ts'
import { checkRequestHead } from './listener/guard.ts'
import { FAILURES, type Failure, faultAbort, respondDirect, respondFailure } from './respond.ts'
import { normalizePath, splitPath } from './route/path.ts'
import { firstRoute } from './route/table.ts'
import type { ProxyRuntime, RouteFilters } from './runtime.ts'
import { httpAuthzFailure } from './security/enforce.ts'
import { forwardXfcc } from './security/identity.ts'
import { meshPeer } from './security/peer.ts'
import type { CertStore } from './security.ts'
import { attemptOnce } from './upstream/attempt.ts'
import { readBody } from './upstream/body.ts'
import type { H2Sessions } from './upstream/h2.ts'
import type { PoolSet } from './upstream/pools.ts'
import { upstreamTls } from './upstream/tls.ts'

/** Bodies up to this size are buffered so that the request can be retried and mirrored. */
export const RETRY_BUFFER_LIMIT = 64 * 1024

/** What the forwarder needs from the proxy. */
export interface ForwardDeps {
  runtime(): ProxyRuntime
  pools: PoolSet
  h2: H2Sessions
  certs: CertStore
  registry: ClusterRegistry
  originalDestination(localAddress: string, localPort: number): { host: string; port: number } | undefined
  /** Called once per request when the downstream response is done (or the client went away). */
  done(ex: Exchange): void
  /** Tracing: fills trace ids on the exchange and the upstream headers. */
  trace(ex: Exchange, upstream: HeaderBag): void
  peerMetadata: { id: string; encoded: string }
}

/** Handles one downstream request on an HTTP listener. */
export function handleHttp(
  deps: ForwardDeps,
  listener: HttpListener,
  req: IncomingMessage,
  res: ServerResponse,
): Exchange {
  const ex = createExchange(listener, req, res)
  let finished = false
  res.once('finish', () => {
    finished = true
  })
  res.once('close', () => {
    if (!finished) {
      ex.flags.add('DC')
      if (!res.headersSent) ex.responseCode = 0
      if (!ex.details) ex.details = 'downstream_remote_disconnect'
    }
    deps.done(ex)
  })
  const bad = checkRequestHead(req)
  if (bad) {
    respondFailure(ex, bad, { close: true })
    return ex
  }
  const { path, query } = splitPath(req.url ?? '/')
  const normal = path === '*' ? '*' : normalizePath(path)
  if (normal === undefined) {
    respondFailure(ex, FAILURES.invalidPath, { close: true })
    return ex
  }
  ex.path = normal
  ex.query = query
  ex.url = query ? `${normal}?${query}` : normal
  if (normal !== path) ex.originalPath = path
  route(deps, listener, ex).catch((err: unknown) => {
    ex.details = `internal_error{${err instanceof Error ? err.message : String(err)}}`
    respondFailure(ex, { status: 500, flag: '', details: ex.details, body: 'internal error' })
  })
  return ex
}

async function route(deps: ForwardDeps, listener: HttpListener, ex: Exchange): Promise<void> {
  const rt = deps.runtime()
  const req = ex.req
  if (listener.direction === 'inbound') {
    const peer = readPeerMetadata(req)
    if (peer) ex.peer = peer
  }
  const peer = meshPeer(connectionOf(req))
  if (peer) ex.peerPrincipal = peer.identity
  const denied = httpAuthzFailure(rt.config.authz, {
    direction: listener.direction,
    principal: peer?.identity,
    sourceIp: ex.remoteAddress,
    destinationIp: ex.localAddress,
    port: listener.port,
    host: ex.authority,
    method: ex.method,
    path: ex.path,
    headers: req.headers,
  })
  if (denied) return respondFailure(ex, denied)
  const table = rt.tables.get(listener.routeTable)
  const vh = table?.select(ex.authority)
  if (!vh) return respondFailure(ex, FAILURES.noRoute)
  ex.vhost = vh.vhost
  if (vh.vhost.service) ex.service = vh.vhost.service
  const input = {
    path: ex.path,
    query: ex.query,
    method: ex.method,
    scheme: ex.scheme,
    authority: ex.authority,
    headers: req.headers,
  }
  const cr = firstRoute(vh, input)
  if (!cr) return respondFailure(ex, FAILURES.noRoute)
  const r = cr.route
  ex.route = r
  ex.routeName = r.origin?.name ?? '-'
  const filters = rt.filters.get(r)!
  // CORS preflight from an allowed origin is answered here.
  const origin = req.headers.origin
  const cors = filters.cors && originAllowed(filters.cors, origin) ? filters.cors : undefined
  if (cors && ex.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
    return respondDirect(ex, 200, preflightHeaders(cors, origin as string), undefined)
  }
  const action = r.action
  if (action.kind === 'redirect') {
    const location = redirectLocation(action, ex)
    return respondDirect(ex, action.status, { location }, undefined)
  }
  if (action.kind === 'respond') {
    if (vh.vhost.name === 'block_all') {
      ex.clusterName = 'BlackHoleCluster'
      ex.service = specialService('BlackHoleCluster')
    }
    return respondDirect(ex, action.status, action.headers ?? {}, action.body)
  }
  const fault = decideFault(r.policy.fault)
  if (fault) {
    if (fault.delayMs > 0) {
      ex.flags.add('DI')
      await sleep(fault.delayMs)
      if (ex.res.destroyed) return
    }
    if (fault.abortStatus !== undefined) return respondFailure(ex, faultAbort(fault.abortStatus))
    if (fault.abortGrpc !== undefined) {
      ex.flags.add('FI')
      ex.details = 'fault_filter_abort'
      ex.grpcStatus = String(grpcCode(fault.abortGrpc))
      return respondDirect(
        ex,
        200,
        {
          'content-type': 'application/grpc',
          'grpc-status': ex.grpcStatus,
          'grpc-message': 'fault filter abort',
        },
        undefined,
      )
    }
  }
  await forward(deps, rt, ex, action, filters, cors ? responseHeaders(cors, origin as string) : undefined)
}

/** The downstream connection: for HTTP/2 the session's socket (one per connection, not per stream). */
function connectionOf(req: IncomingMessage): unknown {
  const session = (req as unknown as { stream?: { session?: { socket?: unknown } } }).stream?.session
  return session?.socket ?? req.socket
}

/**
 * `X-Forwarded-Client-Cert` as Istio configures it: sidecar inbound APPEND_FORWARD (this hop's element
 * appended for an mTLS peer), gateways SANITIZE_SET (only this hop's element), outbound unchanged.
 */
function setXfcc(
  up: HeaderBag,
  ex: Exchange,
  peer: ReturnType<typeof meshPeer>,
  localIdentity: string,
): void {
  if (ex.direction === 'outbound') return
  const element = peer?.xfcc(localIdentity)
  const incoming = up['x-forwarded-client-cert']
  if (ex.direction === 'gateway') {
    if (element) up['x-forwarded-client-cert'] = element
    else delete up['x-forwarded-client-cert']
    return
  }
  const v = forwardXfcc(typeof incoming === 'string' ? incoming : undefined, element)
  if (v) up['x-forwarded-client-cert'] = v
}

/** Clusters Istio reports as `destination_service_name` themselves. */
const SPECIAL_CLUSTERS = new Set(['PassthroughCluster', 'InboundPassthroughCluster', 'BlackHoleCluster'])

/** One service object per special cluster, so that telemetry can cache labels by identity. */
const SPECIAL_SERVICES = new Map<string, ServiceRef>()

function specialService(name: string): ServiceRef {
  let s = SPECIAL_SERVICES.get(name)
  if (!s) {
    s = Object.freeze({ host: name, name, namespace: 'unknown' })
    SPECIAL_SERVICES.set(name, s)
  }
  return s
}

/** Headers the router consumes and never forwards. */
const ROUTER_HEADERS = new Set([
  'x-envoy-upstream-rq-timeout-ms',
  'x-envoy-upstream-rq-per-try-timeout-ms',
  'x-envoy-max-retries',
  'x-envoy-retry-on',
  'x-envoy-attempt-count',
  'x-envoy-expected-rq-timeout-ms',
  'x-envoy-peer-metadata',
  'x-envoy-peer-metadata-id',
])

function isRouterHeader(name: string): boolean {
  return ROUTER_HEADERS.has(name)
}

async function forward(
  deps: ForwardDeps,
  rt: ProxyRuntime,
  ex: Exchange,
  action: ForwardAction,
  filters: RouteFilters,
  corsHeaders: Record<string, string> | undefined,
): Promise<void> {
  const req = ex.req
  const r = ex.route!
  const backend = pickWeighted(action.backends)
  ex.clusterName = backend.cluster
  const cs = rt.clusters.get(backend.cluster)
  if (!cs) return respondFailure(ex, FAILURES.noCluster)
  if (cs.config.service && !ex.service) ex.service = cs.config.service
  if (SPECIAL_CLUSTERS.has(cs.config.name)) ex.service = specialService(cs.config.name)

  // Timeouts: route policy, overridable by the client (Envoy router headers).
  const h = req.headers
  let timeoutMs = r.policy.timeoutMs ?? 0
  const rqTimeout = Number(h['x-envoy-upstream-rq-timeout-ms'])
  if (Number.isInteger(rqTimeout) && rqTimeout >= 0) timeoutMs = rqTimeout
  let perTryMs = r.policy.retry?.perTryTimeoutMs ?? 0
  const rqPerTry = Number(h['x-envoy-upstream-rq-per-try-timeout-ms'])
  if (Number.isInteger(rqPerTry) && rqPerTry >= 0) perTryMs = rqPerTry

  // Upstream request headers.
  const up = copyEndToEnd(h, isRouterHeader)
  if (up.host === undefined) up.host = ex.authority
  if (up['x-forwarded-proto'] === undefined) up['x-forwarded-proto'] = ex.scheme
  setXfcc(up, ex, meshPeer(connectionOf(req)), rt.config.node.identity)
  if (ex.direction === 'gateway') {
    const xff = h['x-forwarded-for']
    const remote = ex.remoteAddress
    up['x-forwarded-for'] = typeof xff === 'string' && xff ? `${xff}, ${remote}` : remote
  }
  let path = ex.url
  const rewrite = filters.rewrite
  if (rewrite) {
    const p = rewrite.path(ex.path)
    if (p !== ex.path) {
      up['x-envoy-original-path'] = ex.url
      ex.originalPath ??= ex.url
      path = ex.query ? `${p}?${ex.query}` : p
    }
    if (rewrite.authority !== undefined) up.host = rewrite.authority
  }
  applyHeaderOps(up, r.headers?.request)
  applyHeaderOps(up, backend.headers?.request)
  if (ex.direction !== 'inbound') {
    up['x-envoy-peer-metadata-id'] = deps.peerMetadata.id
    up['x-envoy-peer-metadata'] = deps.peerMetadata.encoded
  }
  deps.trace(ex, up)

  // Body: small bodies are buffered so that retries and mirrors can replay them.
  const retry = retryOverride(filters.retry, h)
  // HTTP/2 (gRPC above all) frames bodies itself and usually sends no content-length: a request has a
  // body unless its HEADERS frame ended the stream.
  const h2Stream =
    req.httpVersionMajor === 2
      ? (req as unknown as { stream?: { endAfterHeaders?: boolean } }).stream
      : undefined
  const hasBody = h2Stream
    ? h2Stream.endAfterHeaders !== true && h['content-length'] !== '0'
    : h['transfer-encoding'] !== undefined ||
      (h['content-length'] !== undefined && h['content-length'] !== '0')
  let body: Buffer | IncomingMessage | null = null
  let replayable = true
  if (hasBody) {
    const len = Number(h['content-length'])
    if ((retry || r.policy.mirrors) && Number.isFinite(len) && len <= RETRY_BUFFER_LIMIT) {
      body = await readBody(req, len)
      if (!body) return
    } else {
      body = req
      replayable = false
    }
  } else if (h['content-length'] === '0') body = Buffer.alloc(0)

  if (replayable && r.policy.mirrors) {
    sendMirrors(
      r.policy.mirrors,
      { method: ex.method, path, headers: up, body: body as Buffer | null },
      (name) => {
        const m = rt.clusters.get(name)
        const ep = m ? pickEndpoint(m, {}, performance.now()) : undefined
        return ep && m
          ? deps.pools.get(
              m.config,
              ep.endpoint.address,
              ep.endpoint.port,
              upstreamTls(m.config, ep.endpoint, deps.certs),
            )
          : undefined
      },
    )
  }

  const hash = computeHash(r.policy.hashPolicy, ex, cs)
  const responseOps = (bag: HeaderBag) => {
    applyHeaderOps(bag, r.headers?.response)
    applyHeaderOps(bag, backend.headers?.response)
    if (corsHeaders) Object.assign(bag, corsHeaders)
    if (hash.setCookie) bag['set-cookie'] = appendValue(bag['set-cookie'], hash.setCookie)
  }

  // Whole-request timeout.
  const deadline = timeoutMs > 0 ? performance.now() + timeoutMs : Number.POSITIVE_INFINITY
  let globalTimedOut = false
  let current: AbortController | undefined
  const globalTimer =
    timeoutMs > 0
      ? setTimeout(() => {
          globalTimedOut = true
          current?.abort()
        }, timeoutMs)
      : undefined

  const maxAttempts = 1 + (retry && replayable ? retry.policy.numRetries : 0)
  // Hosts already tried, only kept when the retry policy wants other hosts.
  const tried = retry?.policy.retryOtherHosts ? new Set<EndpointState>() : undefined
  let last: { failure?: Failure; outcome?: RetryOutcome } = {}
  try {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) {
        if (!admitRetry(cs)) break
        cs.counters.retries++
        try {
          await sleep(backoffMs(retry!.policy.backoffBaseMs, attempt - 1))
        } finally {
          cs.counters.retries--
        }
        if (globalTimedOut) break
      }
      if (ex.res.destroyed) return
      const overflow = admit(cs)
      if (overflow) return respondFailure(ex, overflow)
      const now = performance.now()
      const ep = endpointFor(deps, cs, ex, hash.value, tried, now)
      if (!ep) return respondFailure(ex, FAILURES.noHealthyUpstream)
      tried?.add(ep)
      ex.attempts = attempt
      ex.endpoint = ep.endpoint
      ex.upstreamHost = `${ep.endpoint.address}:${ep.endpoint.port}`
      up['x-envoy-attempt-count'] = String(attempt)
      const remaining = deadline - now
      const tryMs = perTryMs > 0 ? Math.min(perTryMs, remaining) : remaining
      if (Number.isFinite(tryMs))
        up['x-envoy-expected-rq-timeout-ms'] = String(Math.max(0, Math.floor(tryMs)))
      const ctl = new AbortController()
      current = ctl
      // A client that goes away resets the upstream stream too (Envoy), instead of leaving it waiting.
      const abortOnClose = () => {
        if (!ex.res.writableEnded) ctl.abort()
      }
      ex.res.once('close', abortOnClose)
      const perTryTimer = perTryMs > 0 ? setTimeout(() => ctl.abort(), perTryMs) : undefined
      const canRetry = attempt < maxAttempts && retry !== undefined
      const result = await attemptOnce(deps.pools, deps.h2, deps.certs, cs, ep, ex, {
        path,
        headers: up,
        body,
        signal: ctl.signal,
        retriable: (o) => retry !== undefined && isRetriable(retry, o),
        attemptsLeft: canRetry,
        onHeaders: () => {
          clearTimeout(perTryTimer)
          clearTimeout(globalTimer)
        },
        responseOps,
      })
      clearTimeout(perTryTimer)
      current = undefined
      ex.res.off('close', abortOnClose)
      if (result.kind === 'forwarded' || ex.res.destroyed) return
      const outcome: RetryOutcome =
        result.kind === 'aborted'
          ? globalTimedOut
            ? { kind: 'reset' }
            : { kind: 'perTryTimeout' }
          : result.outcome
      if (globalTimedOut) return respondFailure(ex, FAILURES.timeout)
      last = { outcome, ...(result.kind === 'failed' ? { failure: result.failure } : {}) }
      if (outcome.kind === 'response')
        last.failure = { status: outcome.status, flag: '', details: 'via_upstream', body: '' }
      if (outcome.kind === 'perTryTimeout') last.failure = FAILURES.perTryTimeout
      if (!retry || !isRetriable(retry, outcome)) break
    }
  } finally {
    clearTimeout(globalTimer)
  }
  if (globalTimedOut) return respondFailure(ex, FAILURES.timeout)
  const exhausted = retry !== undefined && last.outcome !== undefined && isRetriable(retry, last.outcome)
  respondFailure(ex, last.failure ?? FAILURES.connectFailure, exhausted ? { extraFlags: ['URX'] } : {})
}

function appendValue(prior: string | string[] | undefined, value: string): string | string[] {
  if (prior === undefined) return value
  return Array.isArray(prior) ? [...prior, value] : [prior, value]
}

function endpointFor(
  deps: ForwardDeps,
  cs: ClusterState,
  ex: Exchange,
  hash: number | undefined,
  tried: Set<EndpointState> | undefined,
  now: number,
): EndpointState | undefined {
  if (cs.config.type === 'originalDst') {
    const sock = ex.req.socket
    const dst =
      deps.originalDestination(sock.localAddress ?? '', sock.localPort ?? 0) ??
      hostHeaderDestination(ex.authority)
    if (!dst) return undefined
    const ep: Endpoint = { address: dst.host, port: dst.port, ready: true, labels: {} }
    return deps.registry.adHoc(cs, ep)
  }
  if (cs.config.type === 'blackhole') return undefined
  return pickEndpoint(cs, { hash, tried }, now)
}

function hostHeaderDestination(authority: string): { host: string; port: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(authority)
  if (!m) return undefined
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : 80 }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
