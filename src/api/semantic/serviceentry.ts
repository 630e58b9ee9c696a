/** @module api/semantic/serviceentry — Istio's webhook checks for ServiceEntry and Sidecar. */
import type { Segment } from '../k8s-path.ts'
import {
  checkExportTo,
  checkLabels,
  checkPort,
  type Findings,
  fqdnProblem,
  has,
  isIpOrCidr,
  list,
  namespacedHostProblem,
  type Obj,
  obj,
  PROTOCOLS,
  str,
  wildcardDomainProblem,
} from './common.ts'

/** Checks a ServiceEntry spec. */
export function checkServiceEntry(f: Findings, spec: Obj): void {
  const hosts = list(spec.hosts)
  const resolution = str(spec.resolution) ?? 'NONE'
  const endpoints = list(spec.endpoints)
  hosts.forEach((h, i) => {
    if (typeof h !== 'string') return
    if (h === '*') {
      f.error(['spec', 'hosts', i], 'invalid host *')
      return
    }
    const p = wildcardDomainProblem(h)
    if (p) f.error(['spec', 'hosts', i], p)
    else if (
      (resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN') &&
      endpoints.length === 0 &&
      fqdnProblem(h)
    ) {
      f.error(
        ['spec', 'hosts', i],
        `hosts must be FQDN if no endpoints are provided for resolution mode ${resolution} (wildcard hosts need resolution NONE or DYNAMIC_DNS)`,
      )
    } else if (resolution === 'DYNAMIC_DNS' && !h.startsWith('*')) {
      f.error(['spec', 'hosts', i], `DYNAMIC_DNS resolution requires wildcard hosts, found ${h}`)
    }
  })
  list(spec.addresses).forEach((a, i) => {
    if (typeof a === 'string' && !isIpOrCidr(a)) f.error(['spec', 'addresses', i], `invalid address ${a}`)
  })
  if (resolution === 'STATIC' && endpoints.length === 0 && !has(spec, 'workloadSelector')) {
    f.error(['spec', 'endpoints'], 'endpoints must be provided if service entry discovery mode is static')
  }
  // Duplicate port names and numbers are the CRD's own rules (list-type map, CEL).
  list(spec.ports).forEach((p, i) => {
    const port = obj(p)
    if (!port) return
    const path: Segment[] = ['spec', 'ports', i]
    const protocol = str(port.protocol)
    if (protocol !== undefined && !PROTOCOLS.has(protocol.toUpperCase())) {
      f.error([...path, 'protocol'], `unsupported protocol "${protocol}"`)
    }
    if (has(port, 'targetPort')) checkPort(f, [...path, 'targetPort'], port.targetPort)
  })
  endpoints.forEach((e, i) => {
    const ep = obj(e)
    if (!ep) return
    checkLabels(f, ['spec', 'endpoints', i, 'labels'], ep.labels)
    const addr = str(ep.address)
    if (addr && resolution === 'STATIC' && !addr.startsWith('unix://') && !isIpOrCidr(addr)) {
      f.error(['spec', 'endpoints', i, 'address'], `endpoint address "${addr}" is not a valid IP address`)
    }
  })
  checkLabels(f, ['spec', 'workloadSelector', 'labels'], obj(spec.workloadSelector)?.labels)
  checkExportTo(f, ['spec', 'exportTo'], spec.exportTo, true)
}

/** Checks a Sidecar spec. */
export function checkSidecar(f: Findings, spec: Obj): void {
  const egress = list(spec.egress)
  const ingress = list(spec.ingress)
  if (
    egress.length === 0 &&
    ingress.length === 0 &&
    !has(spec, 'outboundTrafficPolicy') &&
    !has(spec, 'inboundConnectionPool')
  ) {
    f.error(['spec'], 'sidecar: empty configuration provided')
  }
  checkLabels(f, ['spec', 'workloadSelector', 'labels'], obj(spec.workloadSelector)?.labels)
  egress.forEach((e, i) => {
    const listener = obj(e)
    if (!listener) return
    const hosts = list(listener.hosts)
    if (hosts.length === 0)
      f.error(['spec', 'egress', i, 'hosts'], 'sidecar: egress listener must contain at least one host')
    hosts.forEach((h, j) => {
      if (typeof h !== 'string') return
      if (!h.includes('/')) {
        f.error(
          ['spec', 'egress', i, 'hosts', j],
          `sidecar: host "${h}" must be of the form namespace/dnsName`,
        )
        return
      }
      const p = namespacedHostProblem(h)
      if (p) f.error(['spec', 'egress', i, 'hosts', j], p)
    })
    const port = obj(listener.port)
    if (port && has(port, 'number')) checkPort(f, ['spec', 'egress', i, 'port', 'number'], port.number)
  })
  ingress.forEach((e, i) => {
    const listener = obj(e)
    if (listener && !has(listener, 'port'))
      f.error(['spec', 'ingress', i], 'sidecar: port is required for ingress listeners')
  })
}
