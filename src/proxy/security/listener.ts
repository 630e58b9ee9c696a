/**
 * @module proxy/security/listener — the accept side of an inbound mTLS port: STRICT (TLS only,
 * plaintext closed as Envoy's `filter_chain_not_found`), PERMISSIVE (TLS and plaintext on one port,
 * told apart on the first bytes) and DISABLE (plaintext only). Credentials can be swapped at any time.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { type TLSSocket, Server as TlsServer } from 'node:tls'
import type { ServerTls } from '../../proxyconfig/types.ts'
import { peekProtocol } from './peek.ts'
import { meshServerContextOptions, meshServerOptions, type WorkloadCredentials } from './tls.ts'

/** Peer authentication mode of the port. */
export type PeerAuthMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE'

/** The accept mode for a compiled listener TLS setting: ISTIO_MUTUAL carries STRICT / PERMISSIVE; none ⇒ DISABLE. */
export function peerAuthModeOf(tls: ServerTls | undefined): PeerAuthMode {
  return tls?.mode === 'ISTIO_MUTUAL' ? tls.peerAuthentication : 'DISABLE'
}

/** What the listener does with accepted connections. */
export interface MeshListenerOptions {
  mode: PeerAuthMode
  creds?: WorkloadCredentials
  /** A TLS connection whose client certificate chained to the bundle. */
  onSecure: (socket: TLSSocket) => void
  /** A plaintext connection (PERMISSIVE / DISABLE), paused with its first bytes put back. */
  onPlaintext: (socket: Socket) => void
  /** A connection refused: plaintext on STRICT, TLS on DISABLE, or a failed handshake. */
  onRefused?: (reason: string, err?: Error) => void
  /**
   * How long to wait for a silent client's first byte before treating it as plaintext (default 1 s):
   * server-first protocols (MySQL) on a PERMISSIVE port start after this delay, as with Istio's
   * protocol detection timeout.
   */
  peekTimeoutMs?: number
}

/** A listening-ready server (call `server.listen`) with a handle to rotate its certificate. */
export interface MeshListener {
  server: Server
  /** Installs new credentials for connections accepted from now on. */
  setCredentials(creds: WorkloadCredentials): void
}

/** Creates the accept side of an inbound port. */
export function createMeshListener(opts: MeshListenerOptions): MeshListener {
  const tlsServer = opts.creds ? new TlsServer(meshServerOptions(opts.creds)) : undefined
  tlsServer?.on('secureConnection', (s: TLSSocket) => opts.onSecure(s))
  tlsServer?.on('tlsClientError', (err: Error, s: TLSSocket) => {
    opts.onRefused?.('handshake', err)
    s.destroy()
  })
  const server = createServer({ pauseOnConnect: true }, (socket) => {
    socket.on('error', () => {})
    socket.resume()
    void peekProtocol(socket, opts.peekTimeoutMs ?? 1000).then((p) => {
      if (p === 'closed') return socket.destroy()
      if (p === 'tls' && opts.mode !== 'DISABLE' && tlsServer) {
        tlsServer.emit('connection', socket)
        return
      }
      if (p === 'plaintext' && opts.mode !== 'STRICT') return opts.onPlaintext(socket)
      opts.onRefused?.(p === 'tls' ? 'tls_on_disabled_port' : 'filter_chain_not_found')
      socket.resetAndDestroy()
    })
  })
  return {
    server,
    setCredentials(creds) {
      if (!tlsServer) throw new Error('the listener was created without TLS credentials')
      tlsServer.setSecureContext(meshServerContextOptions(creds))
    },
  }
}
