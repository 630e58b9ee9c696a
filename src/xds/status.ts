/** @module xds/status — per-proxy push bookkeeping and the sync state istioctl proxy-status prints. */
import type { ProxyConfig } from '../proxyconfig/types.ts'
import type { ProxyNode, PushError } from './protocol.ts'

/**
 * istioctl's values: SYNCED (the proxy acked the last push), NOT SENT (nothing sent yet), STALE (a push
 * is not acked yet), STALE (Never Acknowledged) (nothing was ever acked). NACK: the proxy refused the last
 * push and keeps running its last good config.
 */
export type SyncState = 'SYNCED' | 'NOT SENT' | 'STALE' | 'STALE (Never Acknowledged)' | 'NACK'

/** One push or answer: which version, under which nonce, when (ISO time). */
export interface PushMark {
  version: string
  nonce: string
  at: string
}

/** One row of `GET /debug/proxy-status` (`server.status()`): a connected proxy and where its config stands. */
export interface ProxyStatusRow {
  /** `pod.namespace`. */
  proxy: string
  cluster: string
  /** The control plane instance the proxy is connected to. */
  istiod: string
  /** The proxy's own version (istioctl's VERSION column). */
  proxyVersion: string
  state: SyncState
  connectedAt: string
  /** The version the proxy says it runs (last ack, or the version named in a nack or a hello). */
  runningVersion?: string
  sent?: PushMark
  acked?: PushMark
  nack?: PushMark & { error: PushError }
}

/** Mutable per-stream state kept by the push server. */
export interface ProxyStreamState {
  node: ProxyNode
  connectedAt: number
  runningVersion?: string
  sent?: { version: string; nonce: string; at: number; config: ProxyConfig; triggeredAt?: number }
  acked?: { version: string; nonce: string; at: number }
  nack?: { version: string; nonce: string; at: number; error: PushError }
}

/** istioctl's `xdsStatus`, plus NACK: compares the nonce sent last with the nonce answered last. */
export function syncState(s: ProxyStreamState): SyncState {
  if (!s.sent) return 'NOT SENT'
  if (s.nack && s.nack.nonce === s.sent.nonce) return 'NACK'
  if (s.acked && s.acked.nonce === s.sent.nonce) return 'SYNCED'
  if (!s.acked) return 'STALE (Never Acknowledged)'
  return 'STALE'
}

const iso = (ms: number): string => new Date(ms).toISOString()

/** The row for one stream. */
export function statusRow(s: ProxyStreamState, istiod: string): ProxyStatusRow {
  const row: ProxyStatusRow = {
    proxy: s.node.id,
    cluster: s.node.cluster ?? 'Kubernetes',
    istiod,
    proxyVersion: s.node.proxyVersion ?? 'unknown',
    state: syncState(s),
    connectedAt: iso(s.connectedAt),
  }
  if (s.runningVersion !== undefined) row.runningVersion = s.runningVersion
  if (s.sent) row.sent = { version: s.sent.version, nonce: s.sent.nonce, at: iso(s.sent.at) }
  if (s.acked) row.acked = { version: s.acked.version, nonce: s.acked.nonce, at: iso(s.acked.at) }
  if (s.nack)
    row.nack = { version: s.nack.version, nonce: s.nack.nonce, at: iso(s.nack.at), error: s.nack.error }
  return row
}
