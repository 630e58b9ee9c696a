/** @module controlplane/api/routes — maps a Kubernetes REST path to what it names. */
import { KINDS, type KindInfo } from '../../api/kinds.ts'

/** What a request path names. */
export type Route =
  | { type: 'discovery'; what: 'api' | 'apis' | 'version' | 'healthz' }
  | { type: 'resources'; group: string; version: string }
  | {
      type: 'object'
      info: KindInfo
      version: string
      /** The namespace from the path (absent for cluster-wide lists and cluster-scoped kinds). */
      namespace?: string
      name?: string
      subresource?: 'status'
    }
  | { type: 'unknown' }

function findKind(group: string, version: string, plural: string): KindInfo | undefined {
  return KINDS.find((k) => k.group === group && k.plural === plural && k.versions.includes(version))
}

/** Resolves the rest of a path below `/api/v1` or `/apis/{g}/{v}`. */
function below(group: string, version: string, rest: string[]): Route {
  if (rest.length === 0) {
    return KINDS.some((k) => k.group === group && k.versions.includes(version))
      ? { type: 'resources', group, version }
      : { type: 'unknown' }
  }
  const [a, b, c, d, e, ...more] = rest
  if (more.length > 0) return { type: 'unknown' }
  const nsInfo = findKind('', 'v1', 'namespaces')
  // /namespaces/{ns}/{plural}[/{name}[/status]]
  if (a === 'namespaces' && b !== undefined && c !== undefined && c !== 'status') {
    const info = findKind(group, version, c)
    if (!info?.namespaced) return { type: 'unknown' }
    if (e !== undefined && e !== 'status') return { type: 'unknown' }
    return {
      type: 'object',
      info,
      version,
      namespace: b,
      ...(d !== undefined ? { name: d } : {}),
      ...(e === 'status' ? { subresource: 'status' as const } : {}),
    }
  }
  // /{plural}[/{name}[/status]] — cluster-scoped kinds, or every namespace of a namespaced kind.
  if (d !== undefined || e !== undefined) return { type: 'unknown' }
  const info = a === 'namespaces' && group === '' ? nsInfo : findKind(group, version, a ?? '')
  if (!info) return { type: 'unknown' }
  if (info.namespaced && b !== undefined) return { type: 'unknown' }
  if (c !== undefined && c !== 'status') return { type: 'unknown' }
  return {
    type: 'object',
    info,
    version,
    ...(b !== undefined ? { name: b } : {}),
    ...(c === 'status' ? { subresource: 'status' as const } : {}),
  }
}

/** Parses a request path (without the query). */
export function route(pathname: string): Route {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent)
  const [root, x, y, ...rest] = parts
  if (root === 'version' && parts.length === 1) return { type: 'discovery', what: 'version' }
  if ((root === 'healthz' || root === 'readyz' || root === 'livez') && parts.length === 1) {
    return { type: 'discovery', what: 'healthz' }
  }
  if (root === 'api') {
    if (x === undefined) return { type: 'discovery', what: 'api' }
    if (x !== 'v1') return { type: 'unknown' }
    return below('', 'v1', y === undefined ? [] : [y, ...rest])
  }
  if (root === 'apis') {
    if (x === undefined) return { type: 'discovery', what: 'apis' }
    if (y === undefined) return { type: 'unknown' }
    return below(x, y, rest)
  }
  return { type: 'unknown' }
}
