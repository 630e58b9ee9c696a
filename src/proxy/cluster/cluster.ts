/**
 * @module proxy/cluster/cluster — cluster runtime: endpoints with health and outlier state, the circuit
 * breaker, and the endpoint pick. State (active counts, ejections, cursors) survives config pushes for
 * clusters and endpoints that keep their names and addresses.
 */
import type { Cluster, Endpoint, ProxyConfig } from '../../proxyconfig/types.ts'
import { FAILURES, type Failure } from '../respond.ts'
import { createEndpointState, type EndpointState, isEjected } from './outlier.ts'
import { createPicker, type PickContext, type Picker } from './pickers.ts'

/** Counters the circuit breaker reads. */
export interface BreakerCounters {
  /** Requests in flight to the cluster (all attempts). */
  active: number
  /** Retries in flight. */
  retries: number
}

/** The runtime of one cluster under one config. */
export interface ClusterState {
  config: Cluster
  endpoints: EndpointState[]
  counters: BreakerCounters
  picker: Picker
}

/** Keeps cluster/endpoint state across configs. */
export interface ClusterRegistry {
  /** Builds the cluster states of a config, reusing state of unchanged clusters and endpoints. */
  build(config: ProxyConfig): Map<string, ClusterState>
  /** An endpoint state for an address not in the config (PassthroughCluster / originalDst). */
  adHoc(cluster: ClusterState, endpoint: Endpoint): EndpointState
}

/** Creates the registry that carries state from one config to the next. */
export function createClusterRegistry(): ClusterRegistry {
  let previous = new Map<string, ClusterState>()
  return {
    build(config) {
      const next = new Map<string, ClusterState>()
      for (const [name, c] of Object.entries(config.clusters)) {
        const old = previous.get(name)
        const oldEps = new Map(old?.endpoints.map((e) => [e.key, e]))
        const endpoints = c.endpoints.map((ep) => {
          const key = `${ep.address}:${ep.port}`
          const prior = oldEps.get(key)
          if (prior) {
            prior.endpoint = ep
            return prior
          }
          return createEndpointState(key, ep)
        })
        const sameLb = old && JSON.stringify(old.config.lb) === JSON.stringify(c.lb)
        next.set(name, {
          config: c,
          endpoints,
          counters: old?.counters ?? { active: 0, retries: 0 },
          picker: sameLb && old ? old.picker : createPicker(c.lb),
        })
      }
      previous = next
      return next
    },
    adHoc(_cluster, endpoint) {
      return createEndpointState(`${endpoint.address}:${endpoint.port}`, endpoint)
    },
  }
}

/** Circuit-breaker admission of one more request: undefined, or the overflow failure (503 UO). */
export function admit(cs: ClusterState): Failure | undefined {
  const cb = cs.config.circuitBreaker
  const active = cs.counters.active
  if (cb.maxRequests !== undefined && active >= cb.maxRequests) return FAILURES.overflow
  if (cb.maxConnections !== undefined && cb.maxPendingRequests !== undefined) {
    if (active >= cb.maxConnections + cb.maxPendingRequests) return FAILURES.overflow
  }
  return undefined
}

/** True when one more retry fits `maxRetries`. */
export function admitRetry(cs: ClusterState): boolean {
  const max = cs.config.circuitBreaker.maxRetries
  return max === undefined || cs.counters.retries < max
}

/** Ready endpoints that are not ejected (all ready ones in panic mode); empty ⇒ 503 UH. */
export function healthyEndpoints(cs: ClusterState, now: number): EndpointState[] {
  const ready = cs.endpoints.filter((e) => e.endpoint.ready)
  const healthy = ready.filter((e) => !isEjected(e, now))
  const od = cs.config.outlierDetection
  if (od && ready.length > 0 && od.minHealthPercent > 0) {
    if ((healthy.length / ready.length) * 100 < od.minHealthPercent) return ready
  }
  return healthy
}

/** Picks an endpoint, or undefined when none is healthy. */
export function pickEndpoint(cs: ClusterState, ctx: PickContext, now: number): EndpointState | undefined {
  const candidates = healthyEndpoints(cs, now)
  if (candidates.length === 0) return undefined
  return cs.picker(candidates, ctx)
}
