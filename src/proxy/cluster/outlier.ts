/**
 * @module proxy/cluster/outlier — per-endpoint outlier detection (Envoy consecutive 5xx / gateway errors).
 *
 * An endpoint is ejected after N consecutive 5xx (locally originated connect failures count, as Envoy
 * does by default) or N consecutive gateway errors (502/503/504, connect failures), for
 * `baseEjectionTime × times ejected`, unless that would eject more than `maxEjectionPercent` of the
 * cluster (the first ejection is always allowed, as `0% < max`). Ejections end lazily when their time is
 * up; the multiplier decays by one per `interval` the host then stays healthy.
 */
import type { Endpoint, OutlierDetection } from '../../proxyconfig/types.ts'

/** Mutable state of one endpoint, kept across config pushes (keyed by cluster and address). */
export interface EndpointState {
  key: string
  endpoint: Endpoint
  active: number
  consecutive5xx: number
  consecutiveGateway: number
  /** `performance.now()` until which the endpoint is ejected; 0 when not ejected. */
  ejectedUntil: number
  ejections: number
  /** When the endpoint last came back from an ejection (for the multiplier's decay). */
  backSince: number
}

/** Creates the state of an endpoint. */
export function createEndpointState(key: string, endpoint: Endpoint): EndpointState {
  return {
    key,
    endpoint,
    active: 0,
    consecutive5xx: 0,
    consecutiveGateway: 0,
    ejectedUntil: 0,
    ejections: 0,
    backSince: 0,
  }
}

/** True while the endpoint is ejected. */
export function isEjected(ep: EndpointState, now: number): boolean {
  if (ep.ejectedUntil === 0) return false
  if (now >= ep.ejectedUntil) {
    ep.backSince = ep.ejectedUntil
    ep.ejectedUntil = 0
    return false
  }
  return true
}

/** The outcome of one attempt, as outlier detection sees it: an HTTP status or a local connect/reset failure. */
export type AttemptOutcome = { status: number } | { localFailure: true }

/** Feeds one outcome; ejects when a threshold is reached. */
export function recordOutcome(
  od: OutlierDetection | undefined,
  ep: EndpointState,
  all: readonly EndpointState[],
  outcome: AttemptOutcome,
  now: number,
): void {
  if (!od) return
  const status = 'status' in outcome ? outcome.status : 503
  const is5xx = status >= 500
  const isGateway = 'localFailure' in outcome || status === 502 || status === 503 || status === 504
  ep.consecutive5xx = is5xx ? ep.consecutive5xx + 1 : 0
  ep.consecutiveGateway = isGateway ? ep.consecutiveGateway + 1 : 0
  const hit5xx =
    od.consecutive5xx !== undefined && od.consecutive5xx > 0 && ep.consecutive5xx >= od.consecutive5xx
  const hitGw =
    od.consecutiveGatewayErrors !== undefined &&
    od.consecutiveGatewayErrors > 0 &&
    ep.consecutiveGateway >= od.consecutiveGatewayErrors
  if (!hit5xx && !hitGw) return
  if (isEjected(ep, now)) return
  const ejected = all.filter((e) => isEjected(e, now)).length
  if ((ejected / Math.max(1, all.length)) * 100 >= od.maxEjectionPercent) return
  // Envoy lowers the multiplier by one for every interval the host stayed healthy since it came back.
  if (ep.ejections > 0 && od.intervalMs > 0)
    ep.ejections = Math.max(0, ep.ejections - Math.floor((now - ep.backSince) / od.intervalMs))
  ep.ejections++
  ep.ejectedUntil = now + od.baseEjectionTimeMs * ep.ejections
  ep.consecutive5xx = 0
  ep.consecutiveGateway = 0
}
