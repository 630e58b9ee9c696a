/** @module xds/client — the proxy side of the push stream: apply or refuse each config, answer, reconnect. */

import http, { type ClientRequest, type IncomingMessage } from 'node:http'
import https from 'node:https'
import type { ProxyConfig } from '../proxyconfig/types.ts'
import { WEIR_VERSION } from '../version.ts'
import { type BackoffConfig, backoffDelay, DEFAULT_BACKOFF } from './backoff.ts'
import { createLineSplitter } from './lines.ts'
import {
  type ConfigMessage,
  encodeMessage,
  type FromProxy,
  NDJSON,
  type ProxyNode,
  PUSH_PROTOCOL,
  PUSH_STREAM_PATH,
  parseFromControlPlane,
} from './protocol.ts'
import type { PushLog } from './server.ts'

/** What applying a config gave: the proxy's `applyConfig` result. */
export type ApplyResult = { ok: true } | { ok: false; error: string }

/** Options of {@link connectConfigStream}. */
export interface ConfigStreamOptions {
  /** Control plane base URL (`http://127.0.0.1:15010`) or the full stream URL. */
  url: string
  token: string
  node: ProxyNode
  /** Applies a config. `{ok:false}` (or a throw) is answered with a NACK; the proxy keeps its last good config. */
  onConfig: (config: ProxyConfig) => ApplyResult | Promise<ApplyResult>
  log?: PushLog
  /** Reconnect backoff (default 100 ms doubling up to 10 s, with jitter). */
  backoff?: Partial<BackoffConfig>
  /** Reconnect when nothing (not even a ping) arrived for this long (default 45 s, 3 pings). */
  idleTimeoutMs?: number
  /** The version the proxy already runs, if any (sent in the first hello). */
  lastVersion?: string
}

/** What the client knows, for the proxy's admin endpoints and tests. */
export interface ConfigStreamState {
  connected: boolean
  /** The version applied last (what the proxy runs). */
  version?: string
  lastNack?: { version: string; nonce: string; error: string; at: string }
  /** Streams opened so far (1 after the first connect). */
  connects: number
  lastError?: string
}

/** A running stream. */
export interface ConfigStream {
  /** Stops for good (no reconnect). The proxy keeps its config. */
  close(): void
  state(): ConfigStreamState
}

function streamUrl(base: string): URL {
  const u = new URL(base)
  if (u.pathname === '/' || u.pathname === '') u.pathname = PUSH_STREAM_PATH
  return u
}

/** Opens the push stream and keeps it open (reconnecting with backoff) until `close()`. */
export function connectConfigStream(opts: ConfigStreamOptions): ConfigStream {
  const target = streamUrl(opts.url)
  const backoff: BackoffConfig = { ...DEFAULT_BACKOFF, ...opts.backoff }
  const idleMs = opts.idleTimeoutMs ?? 45_000
  const st: ConfigStreamState = { connected: false, connects: 0 }
  if (opts.lastVersion !== undefined) st.version = opts.lastVersion
  let closed = false
  let attempt = 0
  let current: ClientRequest | undefined
  let retryTimer: NodeJS.Timeout | undefined
  let idleTimer: NodeJS.Timeout | undefined
  let queue: Promise<void> = Promise.resolve()
  let latestNonce = ''
  /** The `error` message the control plane sent before ending the current stream, if any. */
  let serverError: string | undefined

  const answer = (req: ClientRequest, msg: FromProxy): void => {
    if (req === current && !req.destroyed) req.write(encodeMessage(msg))
  }

  async function apply(req: ClientRequest, m: ConfigMessage): Promise<void> {
    if (m.nonce !== latestNonce || req !== current) return // a newer push superseded this one
    if (m.version === st.version) return answer(req, { type: 'ack', version: m.version, nonce: m.nonce })
    let result: ApplyResult
    try {
      result = await opts.onConfig(m.config)
    } catch (err) {
      result = { ok: false, error: `exception while applying: ${String(err)}` }
    }
    if (result.ok) {
      st.version = m.version
      answer(req, { type: 'ack', version: m.version, nonce: m.nonce })
      return
    }
    st.lastNack = { version: m.version, nonce: m.nonce, error: result.error, at: new Date().toISOString() }
    opts.log?.warn(
      { version: m.version, error: result.error },
      'config rejected; keeping the last good config',
    )
    answer(req, {
      type: 'nack',
      version: st.version ?? '',
      nonce: m.nonce,
      error: { code: 'REJECTED', message: result.error },
    })
  }

  function onLine(req: ClientRequest, line: string): void {
    const parsed = parseFromControlPlane(line)
    if (!parsed.ok) {
      opts.log?.warn({ error: parsed.error }, 'bad message from control plane; reconnecting')
      req.destroy(new Error(parsed.error))
      return
    }
    const m = parsed.message
    if (m.type !== 'error') attempt = 0 // a working stream, not one refused right after the hello
    if (m.type === 'config') {
      latestNonce = m.nonce
      queue = queue.then(() => apply(req, m))
    } else if (m.type === 'error') {
      serverError = `${m.error.code}: ${m.error.message}`
      opts.log?.warn({ error: m.error }, 'control plane ended the stream')
      // Another stream with this proxy's id took over: retry slowly, so two proxies sharing an id
      // do not keep replacing each other at full speed.
      if (m.error.code === 'REPLACED') attempt = 64
    }
  }

  function armIdle(req: ClientRequest): void {
    clearTimeout(idleTimer)
    idleTimer = setTimeout(() => req.destroy(new Error(`no message for ${idleMs} ms`)), idleMs)
    idleTimer.unref()
  }

  function lost(req: ClientRequest, why: string): void {
    if (req !== current) return
    current = undefined
    req.destroy()
    st.connected = false
    clearTimeout(idleTimer)
    if (closed) return
    st.lastError = serverError ?? why
    const delay = backoffDelay(attempt++, backoff)
    opts.log?.info({ why, delayMs: delay }, 'push stream lost; the proxy keeps its config and reconnects')
    retryTimer = setTimeout(connect, delay)
  }

  function onResponse(req: ClientRequest, res: IncomingMessage): void {
    if (res.statusCode !== 200) {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        if (body.length < 1000) body += c
      })
      res.on('end', () => {
        st.lastError = `HTTP ${res.statusCode}: ${body.trim().slice(0, 200)}`
        req.destroy()
        lost(req, st.lastError)
      })
      return
    }
    st.connected = true
    armIdle(req)
    const lines = createLineSplitter(
      (line) => onLine(req, line),
      256 << 20,
      () => req.destroy(new Error('message too large')),
    )
    res.on('data', (chunk: Buffer) => {
      armIdle(req)
      lines.push(chunk)
    })
    res.on('end', () => lost(req, 'stream ended'))
    res.on('error', (err) => lost(req, String(err)))
  }

  function connect(): void {
    retryTimer = undefined
    if (closed) return
    const request = target.protocol === 'https:' ? https.request : http.request
    const req = request(target, {
      method: 'POST',
      agent: false,
      headers: { authorization: `Bearer ${opts.token}`, 'content-type': NDJSON, accept: NDJSON },
    })
    current = req
    serverError = undefined
    st.connects++
    req.setNoDelay(true)
    armIdle(req) // also bounds the wait for the response headers
    req.on('response', (res) => onResponse(req, res))
    req.on('error', (err) => lost(req, String(err)))
    req.on('close', () => lost(req, 'connection closed'))
    const hello: FromProxy = {
      type: 'hello',
      protocol: PUSH_PROTOCOL,
      node: { proxyVersion: WEIR_VERSION, ...opts.node },
    }
    if (st.version !== undefined) hello.lastVersion = st.version
    req.write(encodeMessage(hello))
  }

  connect()
  return {
    close() {
      closed = true
      clearTimeout(retryTimer)
      clearTimeout(idleTimer)
      const req = current
      current = undefined
      st.connected = false
      req?.destroy()
    },
    state: () => structuredClone(st),
  }
}
