/** @module api/semantic/core — light checks for the Kubernetes kinds Weir reads (Service, Deployment, …). */
import type { Resource } from '../resource.ts'
import { type Findings, has, list, num, obj, str } from './common.ts'

const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/
const SERVICE_PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP'])

/** Checks a Kubernetes core or apps object: a name, and the fields Weir depends on. */
export function checkCoreKind(f: Findings, r: Resource): void {
  const name = r.metadata.name
  if (typeof name !== 'string' || name === '') f.error(['metadata', 'name'], 'metadata.name: Required value')
  const spec = obj(r.body.spec)
  if (r.kind === 'Service') {
    list(spec?.ports).forEach((p, i) => {
      const port = obj(p)
      if (!port) return
      const path = ['spec', 'ports', i]
      checkNumberPort(f, [...path, 'port'], port.port, true)
      const tp = port.targetPort
      if (typeof tp === 'string') {
        if (!/^\d+$/.test(tp) && (tp.length > 15 || !IANA_SVC_NAME.test(tp) || !/[a-z]/.test(tp))) {
          f.error(
            [...path, 'targetPort'],
            `spec.ports[${i}].targetPort: Invalid value: "${tp}": must be a port number or an IANA service name`,
          )
        } else if (/^\d+$/.test(tp)) checkNumberPort(f, [...path, 'targetPort'], Number(tp), false)
      } else if (tp !== undefined) checkNumberPort(f, [...path, 'targetPort'], tp, false)
      const proto = str(port.protocol)
      if (proto !== undefined && !SERVICE_PROTOCOLS.has(proto)) {
        f.error(
          [...path, 'protocol'],
          `spec.ports[${i}].protocol: Unsupported value: "${proto}": supported values: "SCTP", "TCP", "UDP"`,
        )
      }
    })
  }
  if (r.kind === 'Deployment') {
    if (!spec || !has(spec, 'template')) f.error(['spec', 'template'], 'spec.template: Required value')
  }
}

function checkNumberPort(f: Findings, path: (string | number)[], v: unknown, required: boolean): void {
  const where = path
    .map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`))
    .join('')
    .slice(1)
  if (v === undefined || v === null) {
    if (required) f.error(path, `${where}: Required value`)
    return
  }
  const n = num(v)
  if (n === undefined || !Number.isInteger(n)) {
    f.error(
      path,
      `${where}: Invalid value: ${JSON.stringify(v)}: must be a number between 1 and 65535, inclusive`,
    )
  } else if (n < 1 || n > 65535) {
    f.error(path, `${where}: Invalid value: ${n}: must be between 1 and 65535, inclusive`)
  }
}
