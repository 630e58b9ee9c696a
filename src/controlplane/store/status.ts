/** @module controlplane/store/status — Kubernetes `Status` objects for refused requests, worded as the API server words them. */
import type { KindInfo } from '../../api/kinds.ts'
import type { ApiStatus, StatusCause } from './types.ts'

/** `virtualservices.networking.istio.io` (core kinds: `pods`), the name kubectl prints in errors. */
export function resourceName(info: Pick<KindInfo, 'plural' | 'group'>): string {
  return info.group === '' ? info.plural : `${info.plural}.${info.group}`
}

function status(code: number, reason: string, message: string, details?: ApiStatus['details']): ApiStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
    ...(details ? { details } : {}),
  }
}

/** 404: `pods "x" not found`. */
export function notFound(info: KindInfo, name: string): ApiStatus {
  return status(404, 'NotFound', `${resourceName(info)} "${name}" not found`, {
    name,
    group: info.group,
    kind: info.plural,
  })
}

/** 409: `namespaces "x" already exists`. */
export function alreadyExists(info: KindInfo, name: string): ApiStatus {
  return status(409, 'AlreadyExists', `${resourceName(info)} "${name}" already exists`, {
    name,
    group: info.group,
    kind: info.plural,
  })
}

/** 409: a write based on a stale resourceVersion. */
export function conflict(info: KindInfo, name: string): ApiStatus {
  return status(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${resourceName(info)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: info.group, kind: info.plural },
  )
}

/** 422: `VirtualService.networking.istio.io "x" is invalid: spec.hosts: Required value`. */
export function invalid(info: KindInfo, name: string, causes: StatusCause[]): ApiStatus {
  const what = info.group === '' ? info.kind : `${info.kind}.${info.group}`
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message))
  const list = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`
  return status(422, 'Invalid', `${what} "${name}" is invalid: ${list}`, {
    name,
    group: info.group,
    kind: info.kind,
    causes,
  })
}

/** 400 with a message. */
export function badRequest(message: string): ApiStatus {
  return status(400, 'BadRequest', message)
}

/** 403 with a message. */
export function forbidden(info: KindInfo, name: string, why: string): ApiStatus {
  return status(403, 'Forbidden', `${resourceName(info)} "${name}" is forbidden: ${why}`, {
    name,
    group: info.group,
    kind: info.plural,
  })
}

/** 410: a watch that starts before the history the server keeps. */
export function gone(message: string): ApiStatus {
  return status(410, 'Expired', message)
}

/** Any other failure, with its HTTP code and Kubernetes reason. */
export function failure(code: number, reason: string, message: string): ApiStatus {
  return status(code, reason, message)
}
