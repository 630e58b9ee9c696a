/**
 * @module proxy/upstream/pools — pooled keep-alive HTTP/1.1 connections to endpoints (undici `Pool`).
 *
 * One pool per endpoint and connection settings, shared across config pushes; pools nobody references
 * after a push are closed gracefully (in-flight requests finish).
 */
import { Pool } from 'undici'
import type { Cluster } from '../../proxyconfig/types.ts'
import type { UpstreamTlsChoice } from './tls.ts'

/** The pools of the proxy. */
export interface PoolSet {
  get(cluster: Cluster, host: string, port: number, tls?: UpstreamTlsChoice): Pool
  /** Closes pools not used since the last `sweep` mark (call after a config push). */
  retainOnly(keys: Set<string>): void
  keyOf(cluster: Cluster, host: string, port: number, tls?: UpstreamTlsChoice): string
  close(): Promise<void>
}

/** Creates the pool set. */
export function createPoolSet(): PoolSet {
  const pools = new Map<string, Pool>()
  // The cluster's part of the key is built once per cluster config object (a push brings new ones).
  const settings = new WeakMap<Cluster, string>()
  const keyOf = (c: Cluster, host: string, port: number, tls?: UpstreamTlsChoice): string => {
    let part = settings.get(c)
    if (part === undefined) {
      const cb = c.circuitBreaker
      part = `${cb.maxConnections ?? ''}|${cb.maxRequestsPerConnection ?? ''}|${cb.idleTimeoutMs ?? ''}|${c.connectTimeoutMs}`
      settings.set(c, part)
    }
    return `${host}:${port}|${part}|${tls?.key ?? ''}`
  }
  return {
    keyOf,
    get(cluster, host, port, tls) {
      const key = keyOf(cluster, host, port, tls)
      let pool = pools.get(key)
      if (!pool) {
        const cb = cluster.circuitBreaker
        const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
        pool = new Pool(`${tls ? 'https' : 'http'}://${h}:${port}`, {
          connections: cb.maxConnections ?? null,
          pipelining: 1,
          keepAliveTimeout: cb.idleTimeoutMs ?? 60_000,
          keepAliveMaxTimeout: cb.idleTimeoutMs ?? 3_600_000,
          connect: { timeout: cluster.connectTimeoutMs, ...tls?.options } as NonNullable<
            Pool.Options['connect']
          >,
          headersTimeout: 0,
          bodyTimeout: 0,
          ...(cb.maxRequestsPerConnection !== undefined
            ? { maxRequestsPerClient: cb.maxRequestsPerConnection }
            : {}),
        })
        pools.set(key, pool)
      }
      return pool
    },
    retainOnly(keys) {
      for (const [key, pool] of pools) {
        if (keys.has(key)) continue
        pools.delete(key)
        pool.close().catch(() => {})
      }
    },
    async close() {
      const all = [...pools.values()]
      pools.clear()
      await Promise.all(all.map((p) => p.destroy().catch(() => {})))
    },
  }
}
