/** @module model/protocol — a port's protocol as Istio decides it (appProtocol, port name prefix, well-known ports). */
import type { PortProtocol } from './types.ts'

const BY_NAME: Record<string, PortProtocol> = {
  http: 'http',
  http2: 'http2',
  h2c: 'http2',
  'kubernetes.io/h2c': 'http2',
  'kubernetes.io/ws': 'http',
  'kubernetes.io/wss': 'https',
  https: 'https',
  grpc: 'grpc',
  'grpc-web': 'grpc',
  tls: 'tls',
  tcp: 'tcp',
  udp: 'udp',
  mongo: 'tcp',
  mysql: 'tcp',
  redis: 'tcp',
}

/** Ports Istio treats as TCP when their protocol cannot be told from name or appProtocol. */
const WELL_KNOWN_TCP = new Set([25, 53, 3306, 27017])

/** Istio's protocol of an explicit protocol/appProtocol string; undefined when unknown. */
export function parseProtocol(p: string | undefined): PortProtocol | undefined {
  if (!p) return undefined
  return BY_NAME[p.toLowerCase()]
}

/** The protocol of a port from its name (`http-web` → http, `grpc-web` → grpc, `redis` → tcp). */
export function protocolFromName(name: string | undefined): PortProtocol | undefined {
  if (!name) return undefined
  const n = name.toLowerCase()
  if (n === 'grpc-web' || n.startsWith('grpc-web-')) return 'grpc'
  const dash = n.indexOf('-')
  return BY_NAME[dash < 0 ? n : n.slice(0, dash)]
}

/**
 * A Kubernetes Service port's protocol: UDP ports are UDP; then `appProtocol`; then the port name
 * prefix; else sniffed (`auto`), except the well-known TCP ports 25, 53, 3306 and 27017.
 */
export function kubePortProtocol(port: {
  number: number
  name?: string | undefined
  protocol?: string | undefined
  appProtocol?: string | undefined
}): PortProtocol {
  if (port.protocol?.toUpperCase() === 'UDP') return 'udp'
  const p = parseProtocol(port.appProtocol) ?? protocolFromName(port.name)
  if (p) return p
  return WELL_KNOWN_TCP.has(port.number) ? 'tcp' : 'auto'
}

/** True when the proxy routes the port with an HTTP route table (HTTP, HTTP/2, gRPC, sniffed). */
export function isHttpProtocol(p: PortProtocol): boolean {
  return p === 'http' || p === 'http2' || p === 'grpc' || p === 'auto'
}
