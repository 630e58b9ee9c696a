/**
 * @module proxy/listener/http — accepts connections for an HTTP listener and hands each to HTTP/1.1
 * (node:http, llhttp strict) or HTTP/2 (node:http2, compat API): by ALPN over TLS, by the client
 * preface for cleartext (h2c prior knowledge). HTTP/2 gets Envoy's edge limit of 100 concurrent
 * streams and no server push.
 */
import {
  createServer as createH1,
  type Server as H1Server,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import {
  createServer as createH2,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2'
import { createServer as createNet, type Server as NetServer, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { createServer as createTls, type TLSSocket } from 'node:tls'
import type { ServerTls } from '../../proxyconfig/types.ts'
import type { CertStore } from '../security.ts'
import { type CredentialResolver, serverMaterial } from './credentials.ts'
import { createMeshAcceptor, isMeshTls, replay } from './mtls.ts'

/** What the listener calls for each request. */
export interface HttpHandlers {
  request(req: IncomingMessage, res: ServerResponse): void
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  /** A connection refused before HTTP (plaintext on a STRICT mTLS port). */
  refused?(socket: Socket, details: string): void
}

/** The servers behind one HTTP listener. */
export interface HttpFront {
  /** The accepting server (plain TCP or TLS). */
  server: NetServer
  h1: H1Server
  h2: Http2Server
  /** Stops accepting; gracefully (idle HTTP/1 connections closed, GOAWAY on HTTP/2) or not. */
  close(graceful: boolean): Promise<void>
}

const PREFACE = Buffer.from('PRI * HTTP/2.0')

/** Creates the servers of an HTTP listener (not yet listening). */
/** How long a gracefully closed listener lets busy connections finish before it cuts them. */
const DRAIN_MS = 5_000

export function createHttpFront(
  tls: ServerTls | undefined,
  certs: CertStore,
  handlers: HttpHandlers,
  credentials: { namespace: string; resolve: CredentialResolver | undefined } = {
    namespace: '',
    resolve: undefined,
  },
): HttpFront {
  const h1 = createH1(
    { maxHeaderSize: 60 * 1024, requestTimeout: 0, keepAliveTimeout: 60_000, requireHostHeader: true },
    handlers.request,
  )
  h1.on('upgrade', handlers.upgrade)
  const h2 = createH2({
    maxHeaderListPairs: 128,
    maxSessionMemory: 10,
    settings: { maxConcurrentStreams: 100, enablePush: false, maxHeaderListSize: 60 * 1024 },
  })
  h2.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) =>
    handlers.request(req as unknown as IncomingMessage, res as unknown as ServerResponse),
  )
  const sockets = new Set<Socket>()
  const sessions = new Set<ServerHttp2Session>()
  h2.on('session', (s: ServerHttp2Session) => {
    sessions.add(s)
    s.once('close', () => sessions.delete(s))
  })
  const track = (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  }
  let server: NetServer
  const plain = (s: Socket, chunk: Buffer) => {
    const n = Math.min(chunk.length, PREFACE.length)
    if (n >= 3 && chunk.subarray(0, n).equals(PREFACE.subarray(0, n))) {
      h2.emit('connection', replay(s, chunk))
    } else {
      s.unshift(chunk)
      h1.emit('connection', s)
      s.resume()
    }
  }
  const secured = (t: TLSSocket) => {
    if (t.alpnProtocol === 'h2' || t.alpnProtocol === 'istio-h2') h2.emit('connection', t)
    else h1.emit('connection', t)
  }
  if (isMeshTls(tls)) {
    const accept = createMeshAcceptor(tls, certs, {
      tls: secured,
      plain,
      ...(handlers.refused ? { refused: handlers.refused } : {}),
    })
    server = createNet((s) => {
      track(s)
      s.on('error', () => s.destroy())
      accept(s)
    })
  } else if (tls) {
    const material = serverMaterial(tls, credentials.namespace, credentials.resolve)
    server = createTls(
      {
        ...material,
        requestCert: tls.mode === 'MUTUAL',
        rejectUnauthorized: tls.mode === 'MUTUAL',
        ALPNProtocols: ['h2', 'http/1.1'],
        minVersion: 'TLSv1.2',
      },
      (s: TLSSocket) => {
        track(s)
        secured(s)
      },
    )
  } else {
    server = createNet((s) => {
      track(s)
      s.once('data', (chunk: Buffer) => {
        s.pause()
        plain(s, chunk)
      })
      s.on('error', () => s.destroy())
    })
  }
  return {
    server,
    h1,
    h2,
    close(graceful) {
      return new Promise<void>((resolve) => {
        let sweep: NodeJS.Timeout | undefined
        server.close(() => {
          clearInterval(sweep)
          resolve()
        })
        if (graceful) {
          // Keep-alive connections go idle between requests: close each as soon as it is idle, and
          // cut what is still open after the drain time, so a listener replaced by a config push
          // never serves old connections for long.
          h1.closeIdleConnections()
          for (const s of sessions) s.close()
          const until = Date.now() + DRAIN_MS
          sweep = setInterval(() => {
            h1.closeIdleConnections()
            if (Date.now() > until) for (const s of sockets) s.destroy()
          }, 100)
          sweep.unref()
        } else {
          for (const s of sessions) s.destroy()
          for (const s of sockets) s.destroy()
        }
      })
    },
  }
}
