/** @module api/semantic/destinationrule — Istio's webhook checks for DestinationRule. */
import { codes } from '../codes.ts'
import type { Segment } from '../k8s-path.ts'
import {
  checkExportTo,
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
  checkExportTo(f, ['spec', 'exportTo'], spec.exportTo, false)
}

const POLICY_BLOCKS = [
  'outlierDetection',
  'connectionPool',
  'loadBalancer',
  'tls',
  'portLevelSettings',
  'tunnel',
  'proxyProtocol',
]

function checkTrafficPolicy(f: Findings, path: Segment[], tp: Obj | undefined): void {
  if (!tp) return
  if (!POLICY_BLOCKS.some((k) => has(tp, k)) && !has(tp, 'retryBudget')) {
    f.error(path, 'traffic policy must have at least one field')
    return
  }
  if (has(tp, 'tunnel') && has(tp, 'proxyProtocol'))
    f.error(path, 'tunnel and proxyProtocol must not be set together')
  checkPolicyBlocks(f, path, tp)
  list(tp.portLevelSettings).forEach((s, i) => {
    const pls = obj(s)
    if (!pls) return
    const p = [...path, 'portLevelSettings', i]
    const port = obj(pls.port)
    if (!port) f.error([...p, 'port'], 'portTrafficPolicy must have valid port')
    else if (has(port, 'number')) checkPort(f, [...p, 'port', 'number'], port.number)
    if (!['outlierDetection', 'connectionPool', 'loadBalancer', 'tls'].some((k) => has(pls, k))) {
      f.error(p, 'port traffic policy must have at least one field')
    } else checkPolicyBlocks(f, p, pls)
  })
}

function checkPolicyBlocks(f: Findings, path: Segment[], tp: Obj): void {
  const od = obj(tp.outlierDetection)
  if (od) {
    const p = [...path, 'outlierDetection']
    if (has(od, 'consecutiveErrors')) {
      f.warn(
        [...p, 'consecutiveErrors'],
        'outlier detection consecutive errors is deprecated (and ignored), use consecutiveGatewayErrors or consecutive5xxErrors instead',
        codes.DEPRECATED,
      )
    }
    if (od.splitExternalLocalOriginErrors !== true && (num(od.consecutiveLocalOriginFailures) ?? 0) > 0) {
      f.error(
        [...p, 'consecutiveLocalOriginFailures'],
        'outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false',
      )
    }
    for (const k of ['maxEjectionPercent', 'minHealthPercent']) {
      const v = num(od[k])
      if (v !== undefined && (v < 0 || v > 100)) f.error([...p, k], `${k} ${v} must be in range 0..100`)
    }
  }
  const cp = obj(tp.connectionPool)
  if (cp && !has(cp, 'http') && !has(cp, 'tcp'))
    f.error([...path, 'connectionPool'], 'connection pool must have at least one field')
  const http = obj(cp?.http)
  if (http && http.h2UpgradePolicy === 'UPGRADE' && http.useClientProtocol === true) {
    f.error(
      [...path, 'connectionPool', 'http', 'useClientProtocol'],
      'use client protocol must not be true when H2UpgradePolicy is UPGRADE',
    )
  }
  checkClientTls(f, [...path, 'tls'], obj(tp.tls))
  checkLoadBalancer(f, [...path, 'loadBalancer'], obj(tp.loadBalancer))
  const tunnel = obj(tp.tunnel)
  if (tunnel) {
    const proto = str(tunnel.protocol) ?? ''
    if (proto !== '' && proto !== 'CONNECT' && proto !== 'POST') {
      f.error([...path, 'tunnel', 'protocol'], 'tunnel protocol must be "CONNECT" or "POST"')
    }
    checkPort(f, [...path, 'tunnel', 'targetPort'], tunnel.targetPort ?? 0)
  }
}

function checkClientTls(f: Findings, path: Segment[], tls: Obj | undefined): void {
  if (!tls) return
  const mode = str(tls.mode) ?? 'DISABLE'
  const set = (k: string) => (str(tls[k]) ?? '') !== ''
  if (mode === 'ISTIO_MUTUAL') {
    for (const k of ['clientCertificate', 'privateKey', 'caCertificates', 'credentialName', 'caCrl']) {
      if (set(k)) f.error([...path, k], `ISTIO_MUTUAL TLS cannot have associated ${k}`)
    }
  } else if (mode === 'MUTUAL' && !set('credentialName')) {
    if (!set('clientCertificate'))
      f.error([...path, 'clientCertificate'], 'client certificate required for mutual tls')
    if (!set('privateKey')) f.error([...path, 'privateKey'], 'private key required for mutual tls')
  }
}

function isPrime(x: number): boolean {
  if (x !== 0 && x < 4) return true
  if (x % 2 === 0) return false
  for (let d = 3; d * d <= x; d += 2) if (x % d === 0) return false
  return true
}

function checkLoadBalancer(f: Findings, path: Segment[], lb: Obj | undefined): void {
  if (!lb) return
  const ch = obj(lb.consistentHash)
  if (ch) {
    const p = [...path, 'consistentHash']
    const cookie = obj(ch.httpCookie)
    if (cookie && (str(cookie.name) ?? '') === '')
      f.error([...p, 'httpCookie', 'name'], 'name required for HttpCookie')
    if ((num(ch.minimumRingSize) ?? 0) !== 0) {
      if (has(ch, 'maglev') || has(ch, 'ringHash'))
        f.error(p, 'only one of MinimumRingSize or Maglev/Ringhash can be specified')
      else
        f.warn(
          [...p, 'minimumRingSize'],
          'consistent hash MinimumRingSize is deprecated, use ringHash.minimumRingSize',
          codes.DEPRECATED,
        )
    }
    const maglev = obj(ch.maglev)
    if (maglev) {
      const size = num(maglev.tableSize) ?? 0
      if (size === 0) f.error([...p, 'maglev', 'tableSize'], 'tableSize must be set for maglev')
      else if (size >= 5000011)
        f.error([...p, 'maglev', 'tableSize'], 'tableSize must be less than 5000011 for maglev')
      else if (!isPrime(size))
        f.error([...p, 'maglev', 'tableSize'], 'tableSize must be a prime number for maglev')
    }
  }
  const warm = obj(lb.warmup)
  const aggression = num(warm?.aggression)
  if (aggression !== undefined && aggression < 1) {
    f.error([...path, 'warmup', 'aggression'], 'aggression should be greater than or equal to 1')
  }
}
