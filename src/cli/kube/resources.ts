/** @module cli/kube/resources — REST paths, kubectl's names for kinds, and reading Status errors. */
import { type KindInfo, lookupKind, resolveKindName, splitApiVersion } from '../../api/kinds.ts'
import type { ApiResponse } from './client.ts'

/** The API version to address a kind with (an object's own when known). */
function versionFor(info: KindInfo, apiVersion?: string): string {
  const v = apiVersion ? splitApiVersion(apiVersion).version : undefined
  return v && info.versions.includes(v) ? v : info.versions[0]!
}

/** `/api/v1/namespaces/ns/pods`, `/apis/g/v/pods` (all namespaces), `/api/v1/namespaces`. */
export function collectionPath(info: KindInfo, namespace: string | undefined, apiVersion?: string): string {
  const v = versionFor(info, apiVersion)
  const root = info.group === '' ? `/api/${v}` : `/apis/${info.group}/${v}`
  if (!info.namespaced || namespace === undefined) return `${root}/${info.plural}`
  return `${root}/namespaces/${encodeURIComponent(namespace)}/${info.plural}`
}

/** The path of one object. */
export function objectPath(
  info: KindInfo,
  namespace: string | undefined,
  name: string,
  apiVersion?: string,
): string {
  return `${collectionPath(info, info.namespaced ? (namespace ?? 'default') : undefined, apiVersion)}/${encodeURIComponent(name)}`
}

/** kubectl's `kind.group` (`deployment.apps`, `service`, `virtualservice.networking.istio.io`). */
export function kindDisplay(info: Pick<KindInfo, 'kind' | 'group'>): string {
  const k = info.kind.toLowerCase()
  return info.group === '' ? k : `${k}.${info.group}`
}

/** kubectl's `plural.group` (`virtualservices.networking.istio.io`). */
export function pluralDisplay(info: Pick<KindInfo, 'plural' | 'group'>): string {
  return info.group === '' ? info.plural : `${info.plural}.${info.group}`
}

/** The kind of an object as written (apiVersion + kind), or by group and kind when the version is unknown. */
export function kindOfObject(apiVersion: string, kind: string): KindInfo | undefined {
  return lookupKind(apiVersion, kind)
}

/** Resolves what a user typed (`vs`, `deploy`, `virtualservices.networking.istio.io`). */
export function kindFromArg(arg: string): KindInfo | undefined {
  return resolveKindName(arg)
}

/** A Status body's fields, when the body is one. */
export interface StatusBody {
  message: string
  reason: string
  code: number
  causes: { field?: string; message: string; source?: string }[]
}

/** Reads a failure response as a Status. */
export function statusOf(res: ApiResponse): StatusBody {
  const b = res.body as Partial<{
    message: string
    reason: string
    code: number
    details: { causes?: StatusBody['causes'] }
  }>
  if (b && typeof b === 'object' && typeof b.message === 'string') {
    return {
      message: b.message,
      reason: b.reason ?? 'Unknown',
      code: b.code ?? res.status,
      causes: b.details?.causes ?? [],
    }
  }
  return {
    message: typeof res.body === 'string' ? res.body : `HTTP ${res.status}`,
    reason: 'Unknown',
    code: res.status,
    causes: [],
  }
}

/** `Error from server (NotFound): …`, as kubectl prints a failed request; `context` goes before the message. */
export function serverError(res: ApiResponse, context?: string): string {
  const s = statusOf(res)
  // kubectl words a refused object as `The Namespace "Bad_Name" is invalid: …`.
  if (s.reason === 'Invalid' && !context)
    return `The ${s.message.replace(/^([A-Za-z]+)(\.[a-z0-9.-]+)? /, '$1 ')}`
  return `Error from server (${s.reason}): ${context ? `${context}: ` : ''}${s.message}`
}
