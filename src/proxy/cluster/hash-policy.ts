/**
 * @module proxy/cluster/hash-policy — Envoy route hash policies (header, cookie, source IP, query
 * parameter) for RING_HASH / MAGLEV clusters.
 */
import { randomUUID } from 'node:crypto'
import type { HashPolicy } from '../../proxyconfig/types.ts'
import type { Exchange } from '../exchange.ts'
import { headerValue } from '../route/match.ts'
import type { ClusterState } from './cluster.ts'
import { hash32 } from './pickers.ts'

/**
 * The hash of a request for consistent-hash clusters (route `hashPolicy`); undefined when it cannot be
 * computed (the picker then picks at random). A cookie policy with a ttl generates the cookie.
 */
export function computeHash(
  hp: HashPolicy | undefined,
  ex: Exchange,
  cs: ClusterState,
): { value: number | undefined; setCookie?: string } {
  const lb = cs.config.lb.kind
  if (!hp || (lb !== 'RING_HASH' && lb !== 'MAGLEV')) return { value: undefined }
  switch (hp.kind) {
    case 'header': {
      const v = headerValue(ex.req.headers, hp.name)
      return { value: v === undefined ? undefined : hash32(v) }
    }
    case 'sourceIp':
      return { value: hash32(ex.remoteAddress) }
    case 'queryParam': {
      const v = ex.query ? (new URLSearchParams(ex.query).get(hp.name) ?? undefined) : undefined
      return { value: v === undefined ? undefined : hash32(v) }
    }
    case 'cookie': {
      const v = cookieValue(headerValue(ex.req.headers, 'cookie'), hp.name)
      if (v !== undefined) return { value: hash32(v) }
      if (hp.ttlMs === undefined) return { value: undefined }
      const generated = randomUUID().replaceAll('-', '').slice(0, 16)
      const parts = [`${hp.name}="${generated}"`]
      if (hp.ttlMs > 0) parts.push(`Max-Age=${Math.floor(hp.ttlMs / 1000)}`)
      if (hp.path) parts.push(`Path=${hp.path}`)
      parts.push('HttpOnly')
      return { value: hash32(generated), setCookie: parts.join('; ') }
    }
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name)
      return part
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, '')
  }
  return undefined
}
