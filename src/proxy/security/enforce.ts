/**
 * @module proxy/security/enforce — AuthorizationPolicy enforcement at the listeners: inbound and gateway
 * HTTP requests (denied ⇒ 403 `RBAC: access denied`) and TCP connections (denied ⇒ closed). Outbound
 * listeners never enforce. Nothing is computed when the config has no policy for the workload.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { CompiledAuthz } from '../../proxyconfig/security.ts'
import type { ListenerDirection } from '../../proxyconfig/types.ts'
import type { Failure } from '../respond.ts'
import { type AuthzDecision, authorize, rbacDetail } from './authz.ts'

/** What an HTTP request is judged on (its path is normalised again here, Istio's BASE: idempotent). */
export interface HttpAuthzInput {
  direction: ListenerDirection
  principal: string | undefined
  sourceIp: string
  destinationIp: string
  port: number
  host: string
  method: string
  path: string
  headers: IncomingHttpHeaders
}

/** The 403 local reply for a denied HTTP request, or undefined when allowed (or not enforced here). */
export function httpAuthzFailure(authz: CompiledAuthz | undefined, i: HttpAuthzInput): Failure | undefined {
  if (!authz || i.direction === 'outbound') return undefined
  const xff = i.headers['x-forwarded-for']
  const d = authorize(authz, {
    protocol: 'http',
    principal: i.principal,
    sourceIp: i.sourceIp,
    remoteIp: typeof xff === 'string' && xff ? xff.split(',')[0]!.trim() : i.sourceIp,
    destinationIp: i.destinationIp,
    port: i.port,
    host: i.host,
    method: i.method,
    path: i.path,
    headers: i.headers,
  })
  if (d.allowed) return undefined
  return { status: 403, flag: '', details: rbacDetail(d), body: 'RBAC: access denied' }
}

/** What a TCP connection is judged on. */
export interface TcpAuthzInput {
  direction: ListenerDirection
  principal: string | undefined
  sourceIp: string
  destinationIp: string
  port: number
  sni: string | undefined
}

/** The denial of a TCP connection (`rbac_access_denied_matched_policy[…]`), or undefined when allowed. */
export function tcpAuthzDenial(authz: CompiledAuthz | undefined, i: TcpAuthzInput): string | undefined {
  if (!authz || i.direction === 'outbound') return undefined
  const d: AuthzDecision = authorize(authz, {
    protocol: 'tcp',
    principal: i.principal,
    sourceIp: i.sourceIp,
    destinationIp: i.destinationIp,
    port: i.port,
    sni: i.sni,
  })
  return d.allowed ? undefined : rbacDetail(d)
}
