/**
 * @module proxy/filters/rewrite — URI/authority rewrite (Envoy prefix_rewrite / regex_rewrite) and
 * redirect Location building.
 */

import { RE2JS } from 're2js'
import type { RewritePolicy, RouteAction, StringMatch } from '../../proxyconfig/types.ts'

/** A compiled rewrite: path (query kept) and authority. */
export interface CompiledRewrite {
  path(path: string): string
  authority: string | undefined
}

/** Compiles a rewrite for a route whose path matcher is `pathMatch`. */
export function compileRewrite(rw: RewritePolicy, pathMatch: StringMatch | undefined): CompiledRewrite {
  let path: (p: string) => string = (p) => p
  if (rw.uriRegex) {
    const re = RE2JS.compile(rw.uriRegex.pattern)
    const sub = rw.uriRegex.substitution.replace(/\\(\d)/g, '$$$1')
    path = (p) => re.matcher(p).replaceAll(sub)
  } else if (rw.uri !== undefined) {
    const uri = rw.uri
    if (pathMatch?.kind === 'prefix') {
      const n = pathMatch.value.length
      path = (p) => uri + p.slice(n)
    } else path = () => uri
  }
  return { path, authority: rw.authority }
}

/** Builds the `Location` of a redirect action. */
export function redirectLocation(
  action: Extract<RouteAction, { kind: 'redirect' }>,
  req: { scheme: string; authority: string; path: string; query: string },
): string {
  const scheme = action.scheme ?? req.scheme
  let host = action.authority ?? req.authority
  const reqPort = portOf(req.authority)
  const bare = stripPort(host)
  if (typeof action.port === 'number') {
    host = isDefaultPort(scheme, action.port) ? bare : `${bare}:${action.port}`
  } else if (action.port === 'FROM_PROTOCOL_DEFAULT') host = bare
  else if (action.port === 'FROM_REQUEST_PORT') host = reqPort ? `${bare}:${reqPort}` : bare
  else if (action.scheme && action.scheme !== req.scheme) host = bare
  const path = action.path ?? req.path
  const query = action.path?.includes('?') ? '' : req.query ? `?${req.query}` : ''
  return `${scheme}://${host}${path}${query}`
}

function portOf(authority: string): string | undefined {
  const m = /:(\d+)$/.exec(authority)
  return m?.[1]
}

function stripPort(authority: string): string {
  return authority.replace(/:(\d+)$/, '')
}

function isDefaultPort(scheme: string, port: number): boolean {
  return (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443)
}
