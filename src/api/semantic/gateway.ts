/** @module api/semantic/gateway — Istio's webhook checks for Gateway servers. */
import type { Segment } from '../k8s-path.ts'
import {
  checkLabels,
  checkPort,
  type Findings,
  isIpAddress,
  list,
  namespacedHostProblem,
  type Obj,
  obj,
  PROTOCOLS,
  str,
} from './common.ts'

const TLS_PROTOCOLS = new Set(['HTTPS', 'TLS'])
const HTTP_PROTOCOLS = new Set(['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB'])

/** Checks a Gateway spec. */
export function checkGateway(f: Findings, spec: Obj): void {
  const servers = list(spec.servers)
  if (servers.length === 0) f.error(['spec'], 'gateway must have at least one server')
  checkLabels(f, ['spec', 'selector'], spec.selector)
  const portNames = new Set<string>()
  servers.forEach((s, i) => {
    const server = obj(s)
    if (!server) return
    const path: Segment[] = ['spec', 'servers', i]
    const hosts = list(server.hosts)
    if (hosts.length === 0) f.error([...path, 'hosts'], 'server config must contain at least one host')
    hosts.forEach((h, j) => {
      if (typeof h !== 'string') return
      const p = namespacedHostProblem(h)
      if (p) f.error([...path, 'hosts', j], p)
    })
    const port = obj(server.port)
    if (!port) {
      f.error([...path, 'port'], 'port is required')
      return
    }
    const protocol = (str(port.protocol) ?? '').toUpperCase()
    const protocolOk = PROTOCOLS.has(protocol)
    if (!protocolOk) {
      f.error(
        [...path, 'port', 'protocol'],
        `invalid protocol "${str(port.protocol) ?? ''}", supported protocols are HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP, TLS`,
      )
    }
    const bind = str(server.bind) ?? ''
    if (!bind.startsWith('unix://')) checkPort(f, [...path, 'port', 'number'], port.number ?? 0)
    if (bind !== '' && !bind.startsWith('unix://') && !isIpAddress(bind)) {
      f.error([...path, 'bind'], `bind "${bind}" is not a valid IP address`)
    }
    const name = str(port.name) ?? ''
    if (name === '') f.error([...path, 'port', 'name'], 'port name must be set')
    else if (portNames.has(name)) {
      f.error([...path, 'port', 'name'], `port names in servers must be unique: duplicate name ${name}`)
    }
    portNames.add(name)
    const tls = obj(server.tls)
    if (protocolOk && TLS_PROTOCOLS.has(protocol) && !tls) {
      f.error([...path, 'tls'], 'server must have TLS settings for HTTPS/TLS protocols')
    }
    if (tls) checkServerTls(f, [...path, 'tls'], tls, protocol)
  })
}

function set(v: unknown): boolean {
  return (str(v) ?? '') !== ''
}

function checkServerTls(f: Findings, path: Segment[], tls: Obj, protocol: string): void {
  const mode = str(tls.mode) ?? 'PASSTHROUGH'
  if (tls.httpsRedirect === true && !HTTP_PROTOCOLS.has(protocol)) {
    f.warn([...path, 'httpsRedirect'], 'tls.httpsRedirect should only be used with http servers')
  }
  if (HTTP_PROTOCOLS.has(protocol) || (protocol !== '' && !TLS_PROTOCOLS.has(protocol))) {
    const onlyRedirect =
      mode === 'PASSTHROUGH' &&
      !set(tls.caCertificates) &&
      !set(tls.privateKey) &&
      !set(tls.serverCertificate)
    if (!HTTP_PROTOCOLS.has(protocol))
      f.error(path, 'server cannot have TLS settings for non HTTPS/TLS ports')
    else if (!onlyRedirect) f.error(path, 'server cannot have TLS settings for plain text HTTP ports')
    return
  }
  if (mode === 'ISTIO_MUTUAL') {
    for (const k of ['serverCertificate', 'privateKey', 'caCertificates', 'credentialName']) {
      if (set(tls[k])) f.error([...path, k], `ISTIO_MUTUAL TLS cannot have associated ${k}`)
    }
    return
  }
  if (mode !== 'SIMPLE' && mode !== 'MUTUAL' && mode !== 'OPTIONAL_MUTUAL') return
  const certs = list(tls.tlsCertificates)
  const sources =
    Number(set(tls.serverCertificate) && set(tls.privateKey)) +
    Number(set(tls.credentialName)) +
    Number(list(tls.credentialNames).length > 0) +
    Number(certs.length > 0)
  if (sources > 1) {
    f.error(
      path,
      'only one of credentialName, credentialNames, serverCertificate/privateKey, tlsCertificates should be specified',
    )
  }
  if (set(tls.credentialName) || list(tls.credentialNames).length > 0) return
  const prefix = mode === 'SIMPLE' ? 'SIMPLE TLS' : 'MUTUAL TLS'
  if (mode !== 'SIMPLE' && !set(tls.caCertificates))
    f.error([...path, 'caCertificates'], `${prefix} requires a client CA bundle`)
  const pairs = certs.length > 0 ? certs.map((c) => obj(c) ?? {}) : [tls]
  for (const c of pairs) {
    if (!set(c.serverCertificate))
      f.error([...path, 'serverCertificate'], `${prefix} requires a server certificate`)
    if (!set(c.privateKey)) f.error([...path, 'privateKey'], `${prefix} requires a private key`)
  }
}
