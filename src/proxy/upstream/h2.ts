/**
 * @module proxy/upstream/h2 — HTTP/2 cleartext (prior knowledge) sessions to endpoints of `http2`
 * clusters (gRPC): one multiplexed session per endpoint, replaced when it closes or fails.
 */
import { type ClientHttp2Session, connect } from 'node:http2'
import type { UpstreamTlsChoice } from './tls.ts'

/** The HTTP/2 sessions of the proxy. */
export interface H2Sessions {
  get(host: string, port: number, connectTimeoutMs: number, tls?: UpstreamTlsChoice): ClientHttp2Session
  close(): void
}

/** Creates the session set. */
export function createH2Sessions(): H2Sessions {
  const sessions = new Map<string, ClientHttp2Session>()
  return {
    get(host, port, connectTimeoutMs, tls) {
      const key = `${host}:${port}|${tls?.key ?? ''}`
      const existing = sessions.get(key)
      if (existing && !existing.closed && !existing.destroyed) return existing
      const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
      const s = tls
        ? connect(`https://${h}:${port}`, {
            ...tls.options,
            ALPNProtocols: ['h2'],
            settings: { enablePush: false },
          })
        : connect(`http://${h}:${port}`, { settings: { enablePush: false } })
      sessions.set(key, s)
      const timer = setTimeout(() => {
        if (s.connecting)
          s.destroy(Object.assign(new Error('connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' }))
      }, connectTimeoutMs)
      s.once('connect', () => clearTimeout(timer))
      const forget = () => {
        clearTimeout(timer)
        if (sessions.get(key) === s) sessions.delete(key)
      }
      s.on('error', forget)
      s.once('close', forget)
      s.once('goaway', forget)
      s.unref()
      return s
    },
    close() {
      for (const s of sessions.values()) s.destroy()
      sessions.clear()
    },
  }
}
