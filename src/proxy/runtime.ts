/**
 * @module proxy/runtime — a ProxyConfig compiled for serving: route tables with compiled matchers,
 * per-route filter configs (retry, rewrite, CORS) and cluster states. Built once per accepted config
 * and swapped atomically; a request keeps the runtime it started with.
 */
import type { ProxyConfig, Route, VirtualHost } from '../proxyconfig/types.ts'
import type { ClusterRegistry, ClusterState } from './cluster/cluster.ts'
import { type CompiledCors, compileCors } from './filters/cors.ts'
import { type CompiledRetry, compileRetry } from './filters/retry.ts'
import { type CompiledRewrite, compileRewrite } from './filters/rewrite.ts'
import { type CompiledRouteTable, compileRouteTable } from './route/table.ts'

/** Per-route filter configs compiled once. */
export interface RouteFilters {
  retry: CompiledRetry | undefined
  rewrite: CompiledRewrite | undefined
  cors: CompiledCors | undefined
}

/** The serving form of one config. */
export interface ProxyRuntime {
  config: ProxyConfig
  tables: Map<string, CompiledRouteTable>
  clusters: Map<string, ClusterState>
  filters: Map<Route, RouteFilters>
}

/** Compiles the pure parts (throws on an invalid regex; `validateConfig` reports it first). */
export function compileTables(config: ProxyConfig): Pick<ProxyRuntime, 'tables' | 'filters'> {
  const tables = new Map<string, CompiledRouteTable>()
  const filters = new Map<Route, RouteFilters>()
  for (const [name, table] of Object.entries(config.routeTables)) {
    tables.set(name, compileRouteTable(table))
    for (const vh of table.virtualHosts) for (const r of vh.routes) filters.set(r, compileFilters(r, vh))
  }
  return { tables, filters }
}

function compileFilters(r: Route, vh: VirtualHost): RouteFilters {
  const cors = r.policy.cors ?? vh.cors
  return {
    retry: r.policy.retry && r.policy.retry.numRetries > 0 ? compileRetry(r.policy.retry) : undefined,
    rewrite: r.policy.rewrite ? compileRewrite(r.policy.rewrite, r.match.path) : undefined,
    cors: cors ? compileCors(cors) : undefined,
  }
}

/** Builds the runtime of a validated config. */
export function buildRuntime(config: ProxyConfig, registry: ClusterRegistry): ProxyRuntime {
  const { tables, filters } = compileTables(config)
  return { config, tables, filters, clusters: registry.build(config) }
}
