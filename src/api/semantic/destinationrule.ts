/** @module api/semantic/destinationrule — Istio's webhook checks for DestinationRule. */
import { codes } from '../codes.ts'
import type { Segment } from '../k8s-path.ts'
import {
  checkLabels,
  checkPort,
  type Findings,
  has,
  isDns1123Label,
  list,
  num,
  type Obj,
  obj,
  str,
  wildcardDomainProblem,
} from './common.ts'

/** Checks a DestinationRule spec. */
export function checkDestinationRule(f: Findings, spec: Obj): void {
  const host = str(spec.host)
  if (host === undefined || host === '') f.error(['spec', 'host'], 'destination rule must have a host')
  else {
    const p = wildcardDomainProblem(host)
    if (p) f.error(['spec', 'host'], p)
  }
  checkTrafficPolicy(f, ['spec', 'trafficPolicy'], obj(spec.trafficPolicy))
  const seen = new Set<string>()
  list(spec.subsets).forEach((s, i) => {
    const subset = obj(s)
    if (!subset) return
    const path: Segment[] = ['spec', 'subsets', i]
    const name = str(subset.name) ?? ''
    if (name === '') f.error([...path, 'name'], 'subset name cannot be empty')
    else if (!isDns1123Label(name)) f.error([...path, 'name'], `subset name is invalid: ${name}`)
    else if (seen.has(name)) f.error([...path, 'name'], `duplicate subset names: ${name}`)
    seen.add(name)
    checkLabels(f, [...path, 'labels'], subset.labels)
    checkTrafficPolicy(f, [...path, 'trafficPolicy'], obj(subset.trafficPolicy))
  })
  checkLabels(f, ['spec', 'workloadSelector', 'matchLabels'], obj(spec.workloadSelector)?.matchLabels)
}

function checkTrafficPolicy(f: Findings, path: Segment[], tp: Obj | undefined): void {
  if (!tp) return
  checkPolicyBlocks(f, path, tp)
  list(tp.portLevelSettings).forEach((s, i) => {
    const pls = obj(s)
    if (!pls) return
    const p = [...path, 'portLevelSettings', i]
    const port = obj(pls.port)
    if (!port || !has(port, 'number')) f.error([...p, 'port'], 'port traffic policy must have a port number')
    else checkPort(f, [...p, 'port', 'number'], port.number)
    checkPolicyBlocks(f, p, pls)
  })
}

function checkPolicyBlocks(f: Findings, path: Segment[], tp: Obj): void {
  const od = obj(tp.outlierDetection)
  if (od) {
    const p = [...path, 'outlierDetection']
    if (has(od, 'consecutiveErrors')) {
      f.warn(
        [...p, 'consecutiveErrors'],
        '"consecutiveErrors" is deprecated and ignored; use "consecutive5xxErrors" or "consecutiveGatewayErrors"',
        codes.DEPRECATED,
      )
    }
    const mep = num(od.maxEjectionPercent)
    if (mep !== undefined && (mep < 0 || mep > 100)) {
      f.error([...p, 'maxEjectionPercent'], 'max ejection percent must be between 0 and 100')
    }
    const mhp = num(od.minHealthPercent)
    if (mhp !== undefined && (mhp < 0 || mhp > 100)) {
      f.error([...p, 'minHealthPercent'], 'minimum health percent must be between 0 and 100')
    }
  }
  const tls = obj(tp.tls)
  if (tls && str(tls.mode) === 'ISTIO_MUTUAL') {
    for (const k of ['clientCertificate', 'privateKey', 'caCertificates', 'credentialName']) {
      if (str(tls[k])) f.error([...path, 'tls', k], `ISTIO_MUTUAL TLS cannot have associated ${k}`)
    }
  }
  const ch = obj(obj(tp.loadBalancer)?.consistentHash)
  const cookie = obj(ch?.httpCookie)
  if (cookie && (str(cookie.name) ?? '') === '') {
    f.error([...path, 'loadBalancer', 'consistentHash', 'httpCookie', 'name'], 'name required for HttpCookie')
  }
}
