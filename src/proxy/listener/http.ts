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
import { Duplex } from 'node:stream'
import { createServer as createTls, type TLSSocket } from 'node:tls'
import type { ServerTls } from '../../proxyconfig/types.ts'

/** What the listener calls for each request. */
export interface HttpHandlers {
  request(req: IncomingMessage, res: ServerResponse): void
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
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

/**
 * A JS stream over `s` that first replays `first`: node:http2 reads a net socket's native handle
 * directly, so bytes already read by the preface sniffing would be lost otherwise.
 */
function replay(s: Socket, first: Buffer): Duplex {
  const d = new Duplex({
    read() {
      s.resume()
    },
    write(chunk, encoding, cb) {
      s.write(chunk, encoding, cb)
    },
    final(cb) {
      s.end(cb)
    },
    destroy(err, cb) {
      s.destroy(err ?? undefined)
      cb(err)
    },
  })
  d.push(first)
  s.on('data', (c: Buffer) => {
    if (!d.push(c)) s.pause()
  })
  s.once('end', () => d.push(null))
  s.once('close', () => d.destroy())
  for (const k of ['remoteAddress', 'remotePort', 'localAddress', 'localPort', 'remoteFamily'] as const)
    Object.defineProperty(d, k, { get: () => s[k] })
  return d
}

/** Creates the servers of an HTTP listener (not yet listening). */
export function createHttpFront(tls: ServerTls | undefined, handlers: HttpHandlers): HttpFront {
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
  if (tls && tls.mode !== 'ISTIO_MUTUAL') {
    server = createTls(
      {
        cert: tls.serverCertificate,
        key: tls.privateKey,
        ...(tls.caCertificates ? { ca: tls.caCertificates } : {}),
        requestCert: tls.mode === 'MUTUAL',
        rejectUnauthorized: tls.mode === 'MUTUAL',
        ALPNProtocols: ['h2', 'http/1.1'],
        minVersion: 'TLSv1.2',
      },
      (s: TLSSocket) => {
        track(s)
        if (s.alpnProtocol === 'h2') h2.emit('connection', s)
        else h1.emit('connection', s)
      },
    )
  } else {
    server = createNet((s) => {
      track(s)
      s.once('data', (chunk: Buffer) => {
        s.pause()
        const n = Math.min(chunk.length, PREFACE.length)
        if (n >= 3 && chunk.subarray(0, n).equals(PREFACE.subarray(0, n))) {
          h2.emit('connection', replay(s, chunk))
        } else {
          s.unshift(chunk)
          h1.emit('connection', s)
          s.resume()
        }
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
        server.close(() => resolve())
        if (graceful) {
          h1.closeIdleConnections()
          for (const s of sessions) s.close()
        } else {
          for (const s of sessions) s.destroy()
          for (const s of sockets) s.destroy()
        }
      })
    },
  }
}
