/**
 * @module runtime/mesh/localize — fits a compiled ProxyConfig to this machine before the proxy runs it:
 * every listener gets the real address(es) it binds (a wildcard outbound listener is cloned once per
 * service address of the pod, so each connection keeps its original destination), and the inbound
 * clusters point at the address the pod's app really listens on.
 */
import type { Listener, ProxyConfig } from '../../proxyconfig/types.ts'

/** Where a listener binds. */
export interface BoundAddress {
  host: string
  port: number
}

/** What the runtime knows about the pod of the proxy. */
export interface LocalNetwork {
  role: 'sidecar' | 'gateway'
  podIP: string
  /** Where the app listens (sidecars). */
  appAddress: string
  /** Every address an outbound listener should be bound on (sidecars). */
  bindsFor(listener: { address: string; port: number; direction: string }): BoundAddress[]
  /** The gateway's local port for servers on port 80 (and 8080 when there is no port-80 server). */
  gatewayPort?: number
}

/** A config ready for the proxy, and where each of its listeners binds. */
export interface LocalConfig {
  config: ProxyConfig
  binds: Map<string, BoundAddress>
}

/** Kubernetes' ingress Service maps 80 → 8080 and 443 → 8443: the container port of a gateway server port. */
function gatewayContainerPort(port: number): number {
  return port === 80 ? 8080 : port === 443 ? 8443 : port
}

/** Localizes one config (pure; the input is not changed). */
export function localizeConfig(config: ProxyConfig, net: LocalNetwork): LocalConfig {
  const binds = new Map<string, BoundAddress>()
  const listeners: Listener[] = []
  const add = (l: Listener, addresses: BoundAddress[]): void => {
    addresses.forEach((a, i) => {
      const name = i === 0 ? l.name : `${l.name}@${a.host}`
      listeners.push({ ...l, name })
      binds.set(name, a)
    })
  }
  const gatewayPorts = new Set(config.listeners.filter((l) => l.direction === 'gateway').map((l) => l.port))
  for (const l of config.listeners) {
    if (l.direction === 'gateway') {
      const front =
        net.gatewayPort !== undefined && (l.port === 80 || (l.port === 8080 && !gatewayPorts.has(80)))
          ? net.gatewayPort
          : 0
      const inPod = gatewayContainerPort(l.port)
      // A server on 8080 next to one on 80: the pod's port 8080 belongs to the port-80 server (80 → 8080).
      const shadowed = [...gatewayPorts].some((q) => q !== l.port && gatewayContainerPort(q) === l.port)
      add(l, [{ host: '127.0.0.1', port: front }, ...(shadowed ? [] : [{ host: net.podIP, port: inPod }])])
    } else if (l.direction === 'inbound') add(l, [{ host: net.podIP, port: l.port }])
    else add(l, net.bindsFor(l))
  }
  const clusters = { ...config.clusters }
  for (const [name, c] of Object.entries(clusters)) {
    if (c.direction !== 'inbound') continue
    clusters[name] = {
      ...c,
      endpoints: c.endpoints.map((e) =>
        e.address === '127.0.0.1' || e.address === '0.0.0.0' ? { ...e, address: net.appAddress } : e,
      ),
    }
  }
  return { config: { ...config, listeners, clusters }, binds }
}
