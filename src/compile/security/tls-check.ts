/**
 * @module compile/security/tls-check — `istioctl authn tls-check` (≤ 1.5) as pure functions over
 * resources: for each port of each service, the mTLS mode its server side accepts (PeerAuthentication /
 * legacy Policy), what a client in the pod's namespace sends (DestinationRule `tls`, or auto mTLS), and
 * whether they agree.
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import {
  byAge,
  DEFAULT_ROOT_NAMESPACE,
  labelsMatch,
  namespaceOf,
  obj,
  type SecurityCompileOptions,
} from './common.ts'
import { type MtlsMode, resolvePeerAuthentication } from './peer-authentication.ts'
import { drTlsForPort } from './upstream-tls.ts'

/** One output row. */
export interface TlsCheckRow {
  host: string
  port: number
  status: 'OK' | 'CONFLICT'
  server: 'mTLS' | 'HTTP/mTLS' | 'HTTP'
  client: 'mTLS' | 'HTTP' | 'TLS' | 'AUTO'
  /** `name/namespace` or `-`. */
  authnPolicy: string
  /** `name/namespace` or `-`. */
  destinationRule: string
}

/** What to check. */
export interface TlsCheckOptions extends SecurityCompileOptions {
  /** Namespace of the client pod (DestinationRules there win). */
  podNamespace: string
  /** Only this service: FQDN, `name.namespace` or `name` (in the pod's namespace). */
  service?: string
  /** Mesh `enableAutoMtls` (default true). */
  autoMtls?: boolean
  /** Cluster domain (default `cluster.local`). */
  domain?: string
}

const SERVER: Record<MtlsMode, TlsCheckRow['server']> = {
  STRICT: 'mTLS',
  PERMISSIVE: 'HTTP/mTLS',
  DISABLE: 'HTTP',
}
const WORKLOAD_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
])

/** The rows `tls-check` prints, sorted by host and port. */
export function tlsCheck(all: readonly Resource[], opts: TlsCheckOptions): TlsCheckRow[] {
  const resources = latest(all, opts)
  const domain = opts.domain ?? 'cluster.local'
  const rows: TlsCheckRow[] = []
  for (const svc of resources.filter((r) => r.kind === 'Service' && r.apiVersion === 'v1')) {
    const ns = namespaceOf(svc, opts)
    const host = `${svc.metadata.name}.${ns}.svc.${domain}`
    if (opts.service && !serviceMatches(opts.service, svc.metadata.name, ns, host, opts.podNamespace))
      continue
    const spec = specOf(svc)
    const selector = stringMap(spec.selector)
    const workloads = workloadsOf(resources, ns, selector, opts)
    const ports = Array.isArray(spec.ports) ? spec.ports : []
    for (const p of ports) {
      const po = obj(p)
      if (!po || typeof po.port !== 'number') continue
      const w = workloads[0] ?? { labels: selector, containerPorts: {} }
      const target = targetPort(po, w.containerPorts)
      const authn = resolvePeerAuthentication(resources, { namespace: ns, labels: w.labels }, target, opts)
      const server = SERVER[authn.mode]
      const dr = findDestinationRule(resources, host, opts, ns, domain)
      const tls = dr ? obj(drTlsForPort(specOf(dr).trafficPolicy, po.port)) : undefined
      const client = clientMode(tls?.mode, tls !== undefined, opts.autoMtls ?? true)
      rows.push({
        host,
        port: po.port,
        status: conflicts(server, client) ? 'CONFLICT' : 'OK',
        server,
        client,
        authnPolicy: authn.policy ? `${authn.policy.name}/${authn.policy.namespace}` : '-',
        destinationRule: dr ? `${dr.metadata.name}/${namespaceOf(dr, opts)}` : '-',
      })
    }
  }
  return rows.sort((a, b) => (a.host === b.host ? a.port - b.port : a.host < b.host ? -1 : 1))
}

/** The table, as istioctl printed it (tabwriter, padding 5). */
export function formatTlsCheck(rows: readonly TlsCheckRow[]): string {
  const table = [
    ['HOST:PORT', 'STATUS', 'SERVER', 'CLIENT', 'AUTHN POLICY', 'DESTINATION RULE'],
    ...rows.map((r) => [
      `${r.host}:${r.port}`,
      r.status,
      r.server,
      r.client,
      r.authnPolicy,
      r.destinationRule,
    ]),
  ]
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
  return table
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]! + 5)))
        .join('')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n')
}

/** One object per kind/namespace/name: the last one given wins, as with successive `kubectl apply`. */
function latest(all: readonly Resource[], opts: SecurityCompileOptions): Resource[] {
  const byKey = new Map<string, Resource>()
  for (const r of all)
    byKey.set(`${r.apiVersion.split('/')[0]}|${r.kind}|${namespaceOf(r, opts)}|${r.metadata.name}`, r)
  return [...byKey.values()]
}

function serviceMatches(want: string, name: string, ns: string, host: string, podNs: string): boolean {
  const w = want.toLowerCase().replace(/\.$/, '')
  return w === host || w === `${name}.${ns}` || w === `${name}.${ns}.svc` || (w === name && ns === podNs)
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, x] of Object.entries(obj(v) ?? {})) if (typeof x === 'string') out[k] = x
  return out
}

interface WorkloadInfo {
  labels: Record<string, string>
  containerPorts: Record<string, number>
}

function workloadsOf(
  resources: readonly Resource[],
  ns: string,
  selector: Record<string, string>,
  opts: SecurityCompileOptions,
): WorkloadInfo[] {
  if (Object.keys(selector).length === 0) return []
  const out: WorkloadInfo[] = []
  for (const r of resources) {
    if (namespaceOf(r, opts) !== ns) continue
    let meta: Record<string, unknown> | undefined
    let podSpec: Record<string, unknown> | undefined
    if (r.kind === 'Pod') {
      meta = obj(r.body.metadata)
      podSpec = specOf(r)
    } else if (WORKLOAD_KINDS.has(r.kind)) {
      const tmpl = obj(specOf(r).template)
      meta = obj(tmpl?.metadata)
      podSpec = obj(tmpl?.spec)
    } else continue
    const labels = stringMap(meta?.labels)
    if (!labelsMatch(selector, labels)) continue
    const containerPorts: Record<string, number> = {}
    for (const c of Array.isArray(podSpec?.containers) ? podSpec.containers : []) {
      for (const p of Array.isArray(obj(c)?.ports) ? (obj(c)!.ports as unknown[]) : []) {
        const po = obj(p)
        if (typeof po?.name === 'string' && typeof po.containerPort === 'number')
          containerPorts[po.name] = po.containerPort
      }
    }
    out.push({ labels, containerPorts })
  }
  return out
}

function targetPort(port: Record<string, unknown>, named: Record<string, number>): number {
  const t = port.targetPort
  if (typeof t === 'number') return t
  if (typeof t === 'string') return named[t] ?? (/^\d+$/.test(t) ? Number(t) : (port.port as number))
  return port.port as number
}

/** DestinationRule for `host`: client namespace first, then the service's, then the root; exact before wildcard. */
function findDestinationRule(
  resources: readonly Resource[],
  host: string,
  opts: TlsCheckOptions,
  serviceNs: string,
  domain: string,
): Resource | undefined {
  const root = opts.rootNamespace ?? DEFAULT_ROOT_NAMESPACE
  const drs = resources.filter(
    (r) => r.kind === 'DestinationRule' && r.apiVersion.startsWith('networking.istio.io/'),
  )
  for (const ns of [opts.podNamespace, serviceNs, root]) {
    const candidates = drs
      .filter((d) => namespaceOf(d, opts) === ns)
      .map((d) => ({ d, h: fqdn(String(specOf(d).host ?? ''), namespaceOf(d, opts), domain) }))
      .filter(({ h }) => hostMatches(h, host))
    const exact = candidates.filter(({ h }) => h === host).map(({ d }) => d)
    const best = (exact.length > 0 ? exact : candidates.map(({ d }) => d)).sort(byAge)[0]
    if (best) return best
  }
  return undefined
}

function fqdn(h: string, ns: string, domain: string): string {
  const l = h.toLowerCase()
  return l.includes('.') || l === '*' ? l : `${l}.${ns}.svc.${domain}`
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1))
  return pattern === host
}

function clientMode(mode: unknown, hasTls: boolean, autoMtls: boolean): TlsCheckRow['client'] {
  if (!hasTls) return autoMtls ? 'AUTO' : 'HTTP'
  if (mode === 'ISTIO_MUTUAL') return 'mTLS'
  if (mode === 'SIMPLE' || mode === 'MUTUAL') return 'TLS'
  return 'HTTP'
}

function conflicts(server: TlsCheckRow['server'], client: TlsCheckRow['client']): boolean {
  if (server === 'mTLS') return client === 'HTTP' || client === 'TLS'
  if (server === 'HTTP') return client === 'mTLS'
  return false
}
