/**
 * @module proxy/filters/headers — header hygiene and header operations.
 *
 * Requests are re-serialised, never passed through: hop-by-hop headers (RFC 9110 §7.6.1) and those
 * named in `Connection` are dropped both ways; VirtualService header operations (set, add, remove) apply.
 */
import type { HeaderOperations } from '../../proxyconfig/types.ts'

const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'http2-settings',
  'expect',
])

/** Headers as both Node and undici accept them. */
export type HeaderBag = Record<string, string | string[]>

/** Copies headers without hop-by-hop ones (and without those for which `drop(name)` is true). */
export function copyEndToEnd(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  drop?: (name: string) => boolean,
): HeaderBag {
  const out: HeaderBag = {}
  const conn = headers.connection
  const listed =
    typeof conn === 'string' && conn !== 'keep-alive' && conn !== 'close'
      ? new Set(
          conn
            .toLowerCase()
            .split(',')
            .map((s) => s.trim()),
        )
      : undefined
  for (const name in headers) {
    const v = headers[name]
    if (v === undefined || HOP.has(name) || listed?.has(name) || name.charCodeAt(0) === 58 /* : */) continue
    if (drop?.(name)) continue
    out[name] = v
  }
  return out
}

/** Applies one side (`request` or `response`) of header operations in Envoy's order: remove, set, add. */
export function applyHeaderOps(bag: HeaderBag, ops: HeaderOperations['request'] | undefined): void {
  if (!ops) return
  for (const name of ops.remove ?? []) delete bag[name.toLowerCase()]
  for (const [name, value] of Object.entries(ops.set ?? {})) bag[name.toLowerCase()] = value
  for (const [name, value] of Object.entries(ops.add ?? {})) {
    const k = name.toLowerCase()
    const prior = bag[k]
    if (prior === undefined) bag[k] = value
    else if (Array.isArray(prior)) prior.push(value)
    else bag[k] = [prior, value]
  }
}
