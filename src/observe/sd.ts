/** @module observe/sd — the Prometheus HTTP service-discovery document: every connected proxy's admin address, and the control plane. */

import type { ProxyNode } from '../xds/protocol.ts'
import { splitProxyId } from '../xds/protocol.ts'

/** One target group of Prometheus `http_sd_configs`. */
export interface TargetGroup {
  targets: string[]
  labels: Record<string, string>
}

function hostPort(url: string): string | undefined {
  try {
    const u = new URL(url)
    return u.port ? `${u.hostname}:${u.port}` : undefined
  } catch {
    return undefined
  }
}

/**
 * The admin URL a proxy announced, when it is plain HTTP on loopback (`127.0.0.0/8`, `[::1]`,
 * `localhost`) with a port; anything else is ignored, so a hello cannot make the control plane (or
 * Prometheus) fetch arbitrary addresses.
 */
export function loopbackAdminUrl(url: string | undefined): string | undefined {
  if (!url) return undefined
  try {
    const u = new URL(url)
    const loopback =
      /^127\.\d+\.\d+\.\d+$/.test(u.hostname) || u.hostname === '[::1]' || u.hostname === 'localhost'
    return u.protocol === 'http:' && loopback && u.port !== '' ? `http://${u.host}` : undefined
  } catch {
    return undefined
  }
}

/**
 * Target groups: one per connected proxy with an `adminUrl` (path `/stats/prometheus`, labels pod,
 * namespace, app, version, workload, proxy), then the control plane itself (path `/metrics`,
 * istiod's `pilot_*` metrics) when `controlPlaneUrl` is given.
 */
export function serviceDiscovery(nodes: readonly ProxyNode[], controlPlaneUrl?: string): TargetGroup[] {
  const out: TargetGroup[] = []
  for (const n of nodes) {
    const admin = loopbackAdminUrl(n.adminUrl)
    const target = admin ? hostPort(admin) : undefined
    if (!target) continue
    const { name, namespace } = splitProxyId(n.id)
    const labels = n.labels ?? {}
    out.push({
      targets: [target],
      labels: {
        __metrics_path__: '/stats/prometheus',
        pod: name,
        namespace: n.namespace ?? namespace,
        app: labels.app ?? labels['app.kubernetes.io/name'] ?? 'unknown',
        version: labels.version ?? labels['app.kubernetes.io/version'] ?? 'unknown',
        workload: n.workload ?? name,
        proxy: n.id,
        role: n.role ?? 'sidecar',
      },
    })
  }
  const self = controlPlaneUrl ? hostPort(controlPlaneUrl) : undefined
  if (self)
    out.push({
      targets: [self],
      labels: {
        __metrics_path__: '/metrics',
        pod: 'weir-controlplane',
        namespace: 'istio-system',
        app: 'istiod',
        version: 'unknown',
      },
    })
  return out
}
