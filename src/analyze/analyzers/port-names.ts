/**
 * @module analyze/analyzers/port-names — `service.PortNameAnalyzer`: a Service port whose protocol Istio
 * cannot tell from its name or appProtocol (`http-*`, `grpc`, `tcp`, …) is sniffed (IST0118); ExternalName
 * services need a real protocol name (IST0150).
 */
import type { Resource } from '../../api/resource.ts'
import { specOf } from '../../api/resource.ts'
import type { Analyzer } from '../types.ts'
import { arr, num, obj, str } from '../values.ts'

const PROTOCOLS = new Set([
  'tcp',
  'udp',
  'grpc',
  'grpc-web',
  'http',
  'http_proxy',
  'http2',
  'https',
  'tls',
  'mongo',
  'redis',
  'mysql',
])
/** Ports treated as TCP when unnamed: SMTP, DNS, MySQL, MongoDB. */
const WELL_KNOWN_TCP = new Set([25, 53, 3306, 27017])
const MANAGED = new Set([
  'istio.io-gateway-controller',
  'istio.io-mesh-controller',
  'istio.io-eastwest-controller',
])

/** True when Istio cannot derive a protocol for this port (Kubernetes `ConvertProtocol` → unsupported). */
export function isUnsupportedPort(
  port: number,
  name: string,
  protocol: string,
  appProtocol?: string,
): boolean {
  if (protocol === 'UDP') return false
  let n = name
  if (appProtocol !== undefined) {
    if (['kubernetes.io/h2c', 'kubernetes.io/ws', 'kubernetes.io/wss'].includes(appProtocol)) return false
    n = appProtocol
  }
  if (n.toLowerCase().startsWith('grpc-web')) return false
  const dash = n.indexOf('-')
  const prefix = (dash >= 0 ? n.slice(0, dash) : n).toLowerCase()
  if (PROTOCOLS.has(prefix)) return false
  return !WELL_KNOWN_TCP.has(port)
}

function isControlPlane(r: Resource): boolean {
  const labels = r.metadata.labels ?? {}
  return 'istio' in labels || labels.release === 'istio'
}

export const portNameAnalyzer: Analyzer = {
  name: 'service.PortNameAnalyzer',
  description: 'Checks the port names associated with each service',
  inputs: ['Service'],
  run(ctx, report) {
    for (const svc of ctx.kind('Service')) {
      if (isControlPlane(svc) || MANAGED.has(svc.metadata.labels?.['gateway.istio.io/managed'] ?? ''))
        continue
      const spec = specOf(svc)
      const external = spec.type === 'ExternalName'
      arr(spec.ports).forEach((p, i) => {
        const port = obj(p)
        const number = num(port.port) ?? 0
        const name = str(port.name)
        const app = typeof port.appProtocol === 'string' ? port.appProtocol : undefined
        if (!isUnsupportedPort(number, name, str(port.protocol), app) && !(name === 'tcp' && external)) return
        const path = ['spec', 'ports', i, 'port']
        if (external) {
          report(svc, 'IST0150', [], path)
          return
        }
        // Kubernetes defaults targetPort to the port; print what the API server would store.
        const target = port.targetPort === undefined ? String(number) : String(port.targetPort)
        report(svc, 'IST0118', [name, number, target], path)
      })
    }
  },
}
