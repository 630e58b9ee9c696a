/** @module proxy/exchange — the per-request state (`*State`) that flows through the request path. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Endpoint, ListenerDirection, Route, ServiceRef, VirtualHost } from '../proxyconfig/types.ts'

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
