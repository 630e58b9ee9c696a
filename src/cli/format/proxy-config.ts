/** @module cli/format/proxy-config — `weir proxy-config` tables, computed from a ProxyConfig with istioctl's columns. */
import {
  BLACKHOLE_CLUSTER,
  type Cluster,
  type Listener,
  PASSTHROUGH_CLUSTER,
  type ProxyConfig,
  type StringMatch,
  type WeightedBackend,
} from '../../proxyconfig/types.ts'
import { formatTable } from './table.ts'

/** Which part of the config a `proxy-config` sub-command shows. */
export type ConfigSection = 'cluster' | 'listener' | 'route' | 'endpoint' | 'all'

export const CLUSTER_HEADER = [
  'SERVICE FQDN',
  'PORT',
  'SUBSET',
  'DIRECTION',
  'TYPE',
  'DESTINATION RULE',
] as const
export const LISTENER_HEADER = ['ADDRESSES', 'PORT', 'MATCH', 'DESTINATION'] as const
export const ROUTE_HEADER = ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE'] as const
export const ENDPOINT_HEADER = ['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER'] as const

/** Row filters, as istioctl's `--fqdn --port --subset --direction --address --name --cluster --status`. */
export interface ConfigFilter {
  fqdn?: string
  port?: number
  subset?: string
  direction?: string
  address?: string
  name?: string
  cluster?: string
  status?: string
}

const TYPE: Record<Cluster['type'], string> = {
  eds: 'EDS',
  originalDst: 'ORIGINAL_DST',
  blackhole: 'STATIC',
  dns: 'STRICT_DNS',
}

/** A cluster row: [name, ...CLUSTER_HEADER cells]. Names `dir|port|subset|fqdn` are split as istioctl does. */
export function clusterRows(config: ProxyConfig, f: ConfigFilter = {}): string[][] {
  const rows: string[][] = []
  for (const name of Object.keys(config.clusters).sort()) {
    const c = config.clusters[name]!
    const parts = name.split('|')
    const named = parts.length === 4 && (parts[0] === 'outbound' || parts[0] === 'inbound')
    const fqdn = named ? (parts[3] ?? '') : name
    const port = named ? parts[1] || '-' : '-'
    const subset = named ? parts[2] || '-' : '-'
    const direction = named ? (parts[0] ?? '-') : '-'
    if (f.fqdn !== undefined && !fqdn.startsWith(f.fqdn)) continue
    if (f.port !== undefined && port !== String(f.port)) continue
    if (f.subset !== undefined && subset !== f.subset) continue
    if (f.direction !== undefined && direction !== f.direction) continue
    rows.push([name, fqdn, port, subset, direction, TYPE[c.type] ?? c.type, ''])
  }
  // istioctl's order: FQDN, then port, subset (none first) and direction.
  const key = (r: string[]): string =>
    [r[1], (r[2] ?? '').padStart(5, '0'), r[3] === '-' ? '' : r[3], r[4]].join('\0')
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}

function describeBackends(backends: readonly WeightedBackend[], fallback: string): string {
  if (backends.length === 0) return fallback
  const name = (c: string): string =>
    c === PASSTHROUGH_CLUSTER || c === BLACKHOLE_CLUSTER ? c : `Cluster: ${c}`
  if (backends.length === 1) return name(backends[0]!.cluster)
  return `WeightedClusters: ${backends.map((b) => `${b.cluster} (${b.weight})`).join(', ')}`
}

function listenerMatch(l: Listener): string {
  if (l.direction === 'gateway') return 'ALL'
  const trans = l.tls ? 'tls' : 'raw_buffer'
  const app = l.tls?.mode === 'ISTIO_MUTUAL' ? 'istio-http/1.0,istio-http/1.1,istio-h2' : 'http/1.1,h2c'
  return `Trans: ${trans}; App: ${app}`
}

/** A listener row: [name, ...LISTENER_HEADER cells]; a TCP listener gives one row per route plus its default. */
export function listenerRows(config: ProxyConfig, f: ConfigFilter = {}): string[][] {
  const rows: string[][] = []
  for (const l of config.listeners) {
    if (f.port !== undefined && l.port !== f.port) continue
    if (f.address !== undefined && l.address !== f.address) continue
    if (f.name !== undefined && l.name !== f.name) continue
    const head = [l.name, l.address, String(l.port)]
    if (l.protocol === 'http') {
      rows.push([...head, listenerMatch(l), `Route: ${l.routeTable}`])
      continue
    }
    for (const r of l.routes) {
      const conds: string[] = []
      if (r.match.sniHosts?.length) conds.push(`SNI: ${r.match.sniHosts.join(',')}`)
      if (r.match.destinationSubnets?.length) conds.push(`Addr: ${r.match.destinationSubnets.join(',')}`)
      rows.push([...head, conds.length ? conds.join('; ') : 'ALL', describeBackends(r.backends, '-')])
    }
    rows.push([...head, 'ALL', describeBackends([{ cluster: l.defaultCluster, weight: 100 }], '-')])
  }
  return rows
}

/** istioctl's domain summary: host:port variants dropped, at most two shown, then "+ N more...". */
export function describeDomains(domains: readonly string[]): string {
  if (domains.length <= 1) return domains[0] ?? ''
  const noPort = domains.filter((d) => !/:\d+$/.test(d))
  const shown = noPort.length ? noPort : [...domains]
  return shown.length > 2 ? `${shown.slice(0, 2).join(', ')} + ${shown.length - 2} more...` : shown.join(', ')
}

/** istioctl's match summary: `/*`, `/api*`, `/exact`, `regex ^/v[0-9]`. Headers are not shown. */
export function describePath(path: StringMatch | undefined): string {
  if (!path) return '/*'
  switch (path.kind) {
    case 'prefix':
      return `${path.value}*`
    case 'exact':
      return path.value
    case 'regex':
      return `regex ${path.value}`
    case 'suffix':
      return `*${path.value}`
    case 'present':
      return '/*'
  }
}

/** A route row (ROUTE_HEADER cells): one per route of every virtual host of every route table. */
export function routeRows(config: ProxyConfig, f: ConfigFilter = {}): string[][] {
  const rows: string[][] = []
  for (const tableName of Object.keys(config.routeTables).sort()) {
    if (f.name !== undefined && tableName !== f.name) continue
    for (const vh of config.routeTables[tableName]!.virtualHosts) {
      for (const r of vh.routes) {
        rows.push([
          tableName,
          vh.name,
          describeDomains(vh.domains),
          describePath(r.match.path),
          r.origin?.virtualService ?? '',
        ])
      }
    }
  }
  return rows
}

/** An endpoint row (ENDPOINT_HEADER cells). Status comes from readiness; outlier state is not in the config. */
export function endpointRows(config: ProxyConfig, f: ConfigFilter = {}): string[][] {
  const rows: string[][] = []
  for (const name of Object.keys(config.clusters).sort()) {
    if (f.cluster !== undefined && name !== f.cluster) continue
    for (const e of config.clusters[name]!.endpoints) {
      const status = e.ready ? 'HEALTHY' : 'UNHEALTHY'
      if (f.status !== undefined && status !== f.status.toUpperCase()) continue
      if (f.address !== undefined && e.address !== f.address) continue
      if (f.port !== undefined && e.port !== f.port) continue
      rows.push([`${e.address}:${e.port}`, status, 'OK', name])
    }
  }
  return rows
}

/** The text tables of one section (`all`: every section, each table with a leading NAME column where istioctl has one). */
export function formatProxyConfig(config: ProxyConfig, section: ConfigSection, f: ConfigFilter = {}): string {
  const gap = 5
  const clusters = (withName: boolean): string => {
    const rows = clusterRows(config, f)
    return withName
      ? formatTable(['NAME', ...CLUSTER_HEADER], rows, gap)
      : formatTable(
          CLUSTER_HEADER,
          rows.map((r) => r.slice(1)),
          gap,
        )
  }
  const listeners = (withName: boolean): string => {
    const rows = listenerRows(config, f)
    return withName
      ? formatTable(['NAME', ...LISTENER_HEADER], rows, gap)
      : formatTable(
          LISTENER_HEADER,
          rows.map((r) => r.slice(1)),
          gap,
        )
  }
  const routes = (): string => formatTable(ROUTE_HEADER, routeRows(config, f), gap)
  const endpoints = (): string => formatTable(ENDPOINT_HEADER, endpointRows(config, f), gap)
  switch (section) {
    case 'cluster':
      return clusters(false)
    case 'listener':
      return listeners(false)
    case 'route':
      return routes()
    case 'endpoint':
      return endpoints()
    case 'all':
      return [clusters(true), listeners(true), routes(), endpoints()].join('\n')
  }
}

/** The data `-o json|yaml` prints for a section. */
export function sectionData(config: ProxyConfig, section: ConfigSection): unknown {
  switch (section) {
    case 'cluster':
      return Object.values(config.clusters)
    case 'listener':
      return config.listeners
    case 'route':
      return Object.values(config.routeTables)
    case 'endpoint':
      return Object.values(config.clusters).map((c) => ({ cluster: c.name, endpoints: c.endpoints }))
    case 'all':
      return config
  }
}
