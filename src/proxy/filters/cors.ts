/**
 * @module proxy/filters/cors — Envoy's CORS filter: preflights from an allowed origin are answered
 * locally (200 with the allow-* headers); other requests from an allowed origin get the response
 * headers added. Requests from other origins pass untouched.
 */
import type { CorsPolicy } from '../../proxyconfig/types.ts'
import { compileString, type Matcher } from '../route/match.ts'

/** A compiled CORS policy. */
export interface CompiledCors {
  policy: CorsPolicy
  origins: Matcher[]
}

/** Compiles a CORS policy. */
export function compileCors(policy: CorsPolicy): CompiledCors {
  return { policy, origins: policy.allowOrigins.map(compileString) }
}

/** True when `origin` is allowed. */
export function originAllowed(c: CompiledCors, origin: string | undefined): origin is string {
  return origin !== undefined && c.origins.some((m) => m(origin))
}

/** Headers of a preflight answer. */
export function preflightHeaders(c: CompiledCors, origin: string): Record<string, string> {
  const p = c.policy
  const h: Record<string, string> = { 'access-control-allow-origin': origin }
  if (p.allowMethods?.length) h['access-control-allow-methods'] = p.allowMethods.join(',')
  if (p.allowHeaders?.length) h['access-control-allow-headers'] = p.allowHeaders.join(',')
  if (p.exposeHeaders?.length) h['access-control-expose-headers'] = p.exposeHeaders.join(',')
  if (p.maxAgeSeconds !== undefined) h['access-control-max-age'] = String(p.maxAgeSeconds)
  if (p.allowCredentials) h['access-control-allow-credentials'] = 'true'
  return h
}

/** Headers added to a normal response for an allowed origin. */
export function responseHeaders(c: CompiledCors, origin: string): Record<string, string> {
  const p = c.policy
  const h: Record<string, string> = { 'access-control-allow-origin': origin }
  if (p.exposeHeaders?.length) h['access-control-expose-headers'] = p.exposeHeaders.join(',')
  if (p.allowCredentials) h['access-control-allow-credentials'] = 'true'
  return h
}
