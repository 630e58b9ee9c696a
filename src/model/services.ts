/** @module model/services — services from Kubernetes Services and ServiceEntries. */
import { type Resource, resourceRef, specOf } from '../api/resource.ts'
import { kubePortProtocol, parseProtocol, protocolFromName } from './protocol.ts'
import { arr, num, obj, str, strList, strMap } from './read.ts'
import type { Service, ServicePort, StaticEndpoint } from './types.ts'

/** A Kubernetes Service as a mesh service (`<name>.<ns>.svc.<domain>`). */
export function serviceFromKube(r: Resource, ns: string, domain: string): Service {
  const spec = specOf(r)
  const ports: ServicePort[] = []
  for (const p of arr(spec.ports)) {
    const o = obj(p)
    const number = num(o?.port)
    if (!o || number === undefined) continue
    const name = str(o.name) ?? ''
    const target = o.targetPort
    ports.push({
      name,
      port: number,
      targetPort: typeof target === 'string' && num(target) === undefined ? target : (num(target) ?? number),
      protocol: kubePortProtocol({
        number,
        name,
        protocol: str(o.protocol),
        appProtocol: str(o.appProtocol),
      }),
    })
  }
  ports.sort((a, b) => a.port - b.port)
  const ip = str(spec.clusterIP)
  const selector = obj(spec.selector) ? strMap(spec.selector) : undefined
  const exportTo = strList(
    obj(r.metadata.annotations)?.['networking.istio.io/exportTo']?.toString().split(','),
  )
  return {
    host: `${r.metadata.name}.${ns}.svc.${domain}`,
    name: r.metadata.name,
    namespace: ns,
    origin: 'kubernetes',
    ports,
    addresses: ip && ip !== 'None' ? [ip] : [],
    ...(ip === 'None' ? { headless: true } : {}),
    location: 'MESH_INTERNAL',
    resolution: 'STATIC',
    ...(selector ? { selector } : {}),
    exportTo: exportTo.length > 0 ? exportTo.map((s) => s.trim()) : ['*'],
    source: resourceRef({ kind: r.kind, metadata: { ...r.metadata, namespace: ns } }),
  }
}

const RESOLUTIONS = ['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS'] as const

/** One service per host of a ServiceEntry. */
export function servicesFromEntry(r: Resource, ns: string): Service[] {
  const spec = specOf(r)
  const ports: ServicePort[] = []
  for (const p of arr(spec.ports)) {
    const o = obj(p)
    const number = num(o?.number)
    if (!o || number === undefined) continue
    const name = str(o.name) ?? ''
    ports.push({
      name,
      port: number,
      targetPort: num(o.targetPort) ?? number,
      protocol: parseProtocol(str(o.protocol)) ?? protocolFromName(name) ?? 'tcp',
    })
  }
  ports.sort((a, b) => a.port - b.port)
  const res = str(spec.resolution)?.toUpperCase()
  const resolution = RESOLUTIONS.find((x) => x === res) ?? 'NONE'
  const endpoints: StaticEndpoint[] = arr(spec.endpoints).flatMap((e) => {
    const o = obj(e)
    const address = str(o?.address)
    if (!o || !address) return []
    const eps: StaticEndpoint = {
      address,
      ports: Object.fromEntries(
        Object.entries(obj(o.ports) ?? {}).flatMap(([k, v]) =>
          num(v) === undefined ? [] : [[k, num(v) as number]],
        ),
      ),
      labels: strMap(o.labels),
    }
    const w = num(o.weight)
    if (w !== undefined) eps.weight = w
    const sa = str(o.serviceAccount)
    if (sa) eps.serviceAccount = sa
    return [eps]
  })
  const selector = obj(spec.workloadSelector) ? strMap(obj(spec.workloadSelector)?.labels) : undefined
  const exportTo = strList(spec.exportTo)
  return strList(spec.hosts).map((h) => ({
    host: h.toLowerCase(),
    name: h.toLowerCase(),
    namespace: ns,
    origin: 'serviceentry' as const,
    ports,
    addresses: strList(spec.addresses),
    location: str(spec.location)?.toUpperCase() === 'MESH_INTERNAL' ? 'MESH_INTERNAL' : 'MESH_EXTERNAL',
    resolution,
    ...(selector ? { selector } : {}),
    ...(endpoints.length > 0 ? { staticEndpoints: endpoints } : {}),
    exportTo: exportTo.length > 0 ? exportTo : ['*'],
    source: resourceRef({ kind: r.kind, metadata: { ...r.metadata, namespace: ns } }),
  }))
}
