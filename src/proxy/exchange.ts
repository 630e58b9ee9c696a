/** @module proxy/exchange — the per-request state (`*State`) that flows through the request path. */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import type {
  Endpoint,
  HttpListener,
  ListenerDirection,
  Route,
  ServiceRef,
  VirtualHost,
} from '../proxyconfig/types.ts'

/** Everything telemetry needs to know about one HTTP request, filled in as it travels. */
export interface Exchange {
  req: IncomingMessage
  res: ServerResponse
  /** `performance.now()` at accept. */
  startMs: number
  /** Wall clock at accept (access log START_TIME). */
  startWall: number
  /** The downstream connection, captured at accept (the socket may be gone by the time we log). */
  remoteAddress: string
  remotePort: number
  localAddress: string
  localPort: number
  direction: ListenerDirection
  listenerName: string
  serverHeader: string
  method: string
  /** Normalised path without query. */
  path: string
  /** Path as forwarded (query included), after normalisation. */
  url: string
  query: string
  authority: string
  scheme: string
  requestId: string
  flags: Set<string>
  details: string
  responseCode: number
  vhost?: VirtualHost
  route?: Route
  routeName: string
  clusterName: string
  /** The service the request is for (telemetry `destination_service*`). */
  service?: ServiceRef
  endpoint?: Endpoint
  upstreamHost: string
  upstreamServiceTimeMs?: number
  attempts: number
  /** gRPC status from the response (trailers or headers), '' when none. */
  grpcStatus: string
  protocol: 'http' | 'grpc'
  /** Peer metadata received on an inbound request (Istio metadata exchange). */
  peer?: PeerMetadata
  /** Original path when rewritten (access log uses it). */
  originalPath?: string
  /** Verified SPIFFE identity of the downstream peer (mutual TLS), if any. */
  peerPrincipal?: string
  /** The upstream connection of the last attempt used Istio mutual TLS. */
  upstreamMtls: boolean
  traceId?: string
  spanId?: string
  parentSpanId?: string
  sampled: boolean
  /** Bytes the downstream socket had written when the request arrived (HTTP/1.1 keep-alive accounting). */
  socketWrittenAtStart: number
}

/** Workload identity exchanged between proxies in `x-envoy-peer-metadata` (base64 JSON). */
export interface PeerMetadata {
  workload: string
  namespace: string
  app: string
  version: string
  principal: string
  cluster: string
}

/** The state of a request just accepted on `listener` (generates `x-request-id` when absent). */
export function createExchange(listener: HttpListener, req: IncomingMessage, res: ServerResponse): Exchange {
  const h = req.headers
  let requestId = h['x-request-id']
  if (typeof requestId !== 'string' || requestId === '' || requestId.length > 256) {
    requestId = randomUUID()
    h['x-request-id'] = requestId
  }
  const ct = h['content-type']
  return {
    req,
    res,
    startMs: performance.now(),
    startWall: Date.now(),
    remoteAddress: req.socket.remoteAddress ?? '',
    remotePort: req.socket.remotePort ?? 0,
    localAddress: req.socket.localAddress ?? '',
    localPort: req.socket.localPort ?? 0,
    direction: listener.direction,
    listenerName: listener.name,
    serverHeader: listener.direction === 'outbound' ? 'envoy' : 'istio-envoy',
    method: req.method ?? 'GET',
    path: '/',
    url: '/',
    query: '',
    authority: h.host ?? str(h[':authority']) ?? '',
    scheme: listener.tls && listener.tls.mode !== 'ISTIO_MUTUAL' ? 'https' : 'http',
    requestId,
    flags: new Set(),
    details: '',
    responseCode: 0,
    routeName: '-',
    clusterName: '-',
    upstreamHost: '-',
    attempts: 0,
    grpcStatus: '',
    protocol: typeof ct === 'string' && ct.startsWith('application/grpc') ? 'grpc' : 'http',
    sampled: false,
    upstreamMtls: false,
    socketWrittenAtStart: 0,
  }
}

function str(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined
}

/** Reads and removes Istio's metadata-exchange headers of an inbound request. */
export function readPeerMetadata(req: IncomingMessage): PeerMetadata | undefined {
  const raw = req.headers['x-envoy-peer-metadata']
  delete req.headers['x-envoy-peer-metadata']
  delete req.headers['x-envoy-peer-metadata-id']
  if (typeof raw !== 'string') return undefined
  try {
    const p = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as PeerMetadata
    return typeof p.workload === 'string' ? p : undefined
  } catch {
    return undefined
  }
}
