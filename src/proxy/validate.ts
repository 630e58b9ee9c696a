/**
 * @module proxy/validate — checks a pushed ProxyConfig before it replaces the running one (a refused
 * config leaves the last good one serving, like an xDS NACK).
 */
import type { ProxyConfig, StringMatch } from '../proxyconfig/types.ts'
import { compileRegex } from './route/match.ts'

/** The first problem of the config, or undefined when it can be served. */
export function validateConfig(config: unknown): string | undefined {
  if (typeof config !== 'object' || config === null) return 'config is not an object'
  const c = config as Partial<ProxyConfig>
  if (!c.node || typeof c.node.id !== 'string') return 'config.node.id is missing'
  if (!c.mesh) return 'config.mesh is missing'
  if (!Array.isArray(c.listeners)) return 'config.listeners is not a list'
  if (typeof c.routeTables !== 'object' || c.routeTables === null) return 'config.routeTables is missing'
  if (typeof c.clusters !== 'object' || c.clusters === null) return 'config.clusters is missing'
  const names = new Set<string>()
  for (const [i, l] of c.listeners.entries()) {
    const at = `listeners[${i}] (${l?.name})`
    if (!l || typeof l.name !== 'string') return `listeners[${i}].name is missing`
    if (names.has(l.name)) return `${at}: duplicate listener name`
    names.add(l.name)
    if (!Number.isInteger(l.port) || l.port < 0 || l.port > 65535)
      return `${at}.port: ${l.port} is not a port`
    if (l.protocol === 'http') {
      if (!c.routeTables[l.routeTable]) return `${at}.routeTable: no route table "${l.routeTable}"`
    } else if (l.protocol === 'tcp') {
      if (typeof l.defaultCluster !== 'string') return `${at}.defaultCluster is missing`
    } else return `${at}.protocol: unknown protocol`
  }
  for (const [name, t] of Object.entries(c.routeTables)) {
    if (!Array.isArray(t.virtualHosts)) return `routeTables.${name}.virtualHosts is not a list`
    for (const [v, vh] of t.virtualHosts.entries()) {
      for (const [r, route] of vh.routes.entries()) {
        const at = `routeTables.${name}.virtualHosts[${v}].routes[${r}]`
        const bad =
          badRegex(route.match.path) ?? badRegex(route.match.method) ?? badRegex(route.match.authority)
        if (bad) return `${at}.match: ${bad}`
        for (const h of route.match.headers ?? []) {
          const b = badRegex(h.match)
          if (b) return `${at}.match.headers.${h.name}: ${b}`
        }
        for (const q of route.match.queryParams ?? []) {
          const b = badRegex(q.match)
          if (b) return `${at}.match.queryParams.${q.name}: ${b}`
        }
        const rx = route.policy.rewrite?.uriRegex
        if (rx) {
          const b = badRegex({ kind: 'regex', value: rx.pattern })
          if (b) return `${at}.policy.rewrite.uriRegex: ${b}`
        }
        if (route.action.kind === 'forward' && route.action.backends.length === 0)
          return `${at}.action.backends is empty`
      }
    }
  }
  for (const [name, cl] of Object.entries(c.clusters)) {
    if (!Array.isArray(cl.endpoints)) return `clusters.${name}.endpoints is not a list`
    if (!cl.circuitBreaker) return `clusters.${name}.circuitBreaker is missing`
  }
  return undefined
}

function badRegex(m: StringMatch | undefined): string | undefined {
  if (m?.kind !== 'regex') return undefined
  if (m.value.length > 1024) return 'regex longer than 1024 characters'
  try {
    compileRegex(m.value)
    return undefined
  } catch (err) {
    return `invalid regex ${JSON.stringify(m.value)}: ${err instanceof Error ? err.message : String(err)}`
  }
}
