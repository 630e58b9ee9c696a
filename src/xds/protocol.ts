/** @module xds/protocol — the push protocol `weir.push/v1`: every message kind, named, and their parsers. */
import type { NodeIdentity, ProxyConfig } from '../proxyconfig/types.ts'

/** The protocol a proxy asks for in its `hello`. A new incompatible protocol gets a new name. */
export const PUSH_PROTOCOL = 'weir.push/v1'

/** Path of the push stream on the control plane's HTTP server. */
export const PUSH_STREAM_PATH = '/xds/v1/stream'

/** Media type of both directions: one JSON object per line (NDJSON). */
export const NDJSON = 'application/x-ndjson'

/**
 * Who a proxy says it is. `id` is `pod.namespace` (istioctl's NAME column); the rest is what the
 * proxy knows about itself (a subset of the compiled {@link NodeIdentity}), plus `cluster` (istioctl's
 * CLUSTER column, `Kubernetes` by default) and `proxyVersion` (istioctl's VERSION column).
 */
export type ProxyNode = Pick<NodeIdentity, 'id'> &
  Partial<Omit<NodeIdentity, 'id'>> & {
    cluster?: string
    proxyVersion?: string
    /** The proxy's admin server (`http://127.0.0.1:PORT`): metrics discovery, `weir stat`, `weir top`. */
    adminUrl?: string
  }

/** Why a proxy refused a config. `code` is machine-readable (`REJECTED`, `EXCEPTION`, `INVALID`). */
export interface PushError {
  code: string
  message: string
}

/** First message on every stream: who I am, which protocol, and the version I run (after a reconnect). */
export interface HelloMessage {
  type: 'hello'
  protocol: typeof PUSH_PROTOCOL
  node: ProxyNode
  lastVersion?: string
}

/** The proxy applied the config sent with `nonce`; it now runs `version`. */
export interface AckMessage {
  type: 'ack'
  version: string
  nonce: string
}

/** The proxy refused the config sent with `nonce`. It keeps running its last good config, `version`. */
export interface NackMessage {
  type: 'nack'
  version: string
  nonce: string
  error: PushError
}

/** Messages a proxy sends. Every message says what it is: no intent is inferred from nonces. */
export type FromProxy = HelloMessage | AckMessage | NackMessage

/** A full config for the proxy. Answer with `ack` or `nack` carrying the same `nonce`. */
export interface ConfigMessage {
  type: 'config'
  version: string
  nonce: string
  config: ProxyConfig
}

/** Keep-alive, so a proxy notices a control plane that vanished without closing the connection. */
export interface PingMessage {
  type: 'ping'
}

/** The control plane refuses the stream (bad hello, unsupported protocol); it closes right after. */
export interface ErrorMessage {
  type: 'error'
  error: PushError
}

/** Messages the control plane sends. */
export type FromControlPlane = ConfigMessage | PingMessage | ErrorMessage

/** The result of parsing one line. */
export type Parsed<T> = { ok: true; message: T } | { ok: false; error: string }

/** Serializes one message as one NDJSON line (with the trailing newline). */
export function encodeMessage(message: FromProxy | FromControlPlane): string {
  return `${JSON.stringify(message)}\n`
}

type Obj = Record<string, unknown>

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function parseJson(line: string): Parsed<Obj> {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` }
  }
  if (!isObj(value)) return { ok: false, error: 'a message must be a JSON object' }
  if (typeof value.type !== 'string') return { ok: false, error: 'message.type must be a string' }
  return { ok: true, message: value }
}

function missingString(o: Obj, ...fields: string[]): string | undefined {
  for (const f of fields)
    if (typeof o[f] !== 'string' || o[f] === '') return `${o.type}.${f} must be a non-empty string`
  return undefined
}

/** Parses one line a proxy sent. Never throws. */
export function parseFromProxy(line: string): Parsed<FromProxy> {
  const json = parseJson(line)
  if (!json.ok) return json
  const m = json.message
  switch (m.type) {
    case 'hello': {
      if (m.protocol !== PUSH_PROTOCOL)
        return {
          ok: false,
          error: `hello.protocol: unsupported ${JSON.stringify(m.protocol)}, want ${PUSH_PROTOCOL}`,
        }
      if (!isObj(m.node) || typeof m.node.id !== 'string' || m.node.id === '')
        return { ok: false, error: 'hello.node.id must be a non-empty string' }
      if (m.lastVersion !== undefined && typeof m.lastVersion !== 'string')
        return { ok: false, error: 'hello.lastVersion must be a string' }
      return { ok: true, message: m as unknown as HelloMessage }
    }
    case 'ack': {
      const bad = missingString(m, 'version', 'nonce')
      return bad ? { ok: false, error: bad } : { ok: true, message: m as unknown as AckMessage }
    }
    case 'nack': {
      const bad = missingString(m, 'nonce')
      if (bad) return { ok: false, error: bad }
      if (typeof m.version !== 'string') return { ok: false, error: 'nack.version must be a string' }
      if (!isObj(m.error) || typeof m.error.code !== 'string' || typeof m.error.message !== 'string')
        return { ok: false, error: 'nack.error must be {code, message}' }
      return { ok: true, message: m as unknown as NackMessage }
    }
    default:
      return { ok: false, error: `unknown message type ${JSON.stringify(m.type)} (want hello, ack or nack)` }
  }
}

/** Parses one line the control plane sent. Never throws. */
export function parseFromControlPlane(line: string): Parsed<FromControlPlane> {
  const json = parseJson(line)
  if (!json.ok) return json
  const m = json.message
  switch (m.type) {
    case 'config': {
      const bad = missingString(m, 'version', 'nonce')
      if (bad) return { ok: false, error: bad }
      if (!isObj(m.config)) return { ok: false, error: 'config.config must be an object' }
      return { ok: true, message: m as unknown as ConfigMessage }
    }
    case 'ping':
      return { ok: true, message: { type: 'ping' } }
    case 'error':
      if (!isObj(m.error) || typeof m.error.message !== 'string')
        return { ok: false, error: 'error.error must be {code, message}' }
      return { ok: true, message: m as unknown as ErrorMessage }
    default:
      return {
        ok: false,
        error: `unknown message type ${JSON.stringify(m.type)} (want config, ping or error)`,
      }
  }
}

/** `{ name, namespace }` of a proxy id `pod.namespace` (split at the last dot, as istioctl does). */
export function splitProxyId(id: string): { name: string; namespace: string } {
  const dot = id.lastIndexOf('.')
  return dot <= 0
    ? { name: id, namespace: 'default' }
    : { name: id.slice(0, dot), namespace: id.slice(dot + 1) }
}
