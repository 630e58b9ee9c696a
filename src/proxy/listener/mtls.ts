/**
 * @module proxy/listener/mtls — the server side of Istio mutual TLS on a listener (ISTIO_MUTUAL):
 * a connection starting with a TLS record is terminated with the workload certificate and must present
 * a client certificate from the mesh's roots; plaintext is accepted only under PERMISSIVE (and refused
 * under STRICT, as Envoy's `filter_chain_not_found`).
 */
import type { Socket } from 'node:net'
import { Duplex } from 'node:stream'
import { createServer as createTlsServer, type TLSSocket, type Server as TlsServer } from 'node:tls'
import type { ServerTls } from '../../proxyconfig/types.ts'
import { meshPeer } from '../security/peer.ts'
import { type CertStore, MESH_ALPN } from '../security.ts'

/**
 * A JS stream over `s` that first replays `first`: node:http2 reads a net socket's native handle
 * directly, so bytes already read by sniffing would be lost otherwise (node:tls reads `unshift`ed bytes).
 */
export function replay(s: Socket, first: Buffer): Duplex {
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

/** True when the listener terminates Istio mTLS. */
export function isMeshTls(tls: ServerTls | undefined): tls is Extract<ServerTls, { mode: 'ISTIO_MUTUAL' }> {
  return tls?.mode === 'ISTIO_MUTUAL'
}

/**
 * The acceptor of an ISTIO_MUTUAL listener. From each connection's first bytes: TLS is terminated by a
 * (never listening) `tls.Server` with the current workload certificate, which verifies the client
 * certificate against the mesh roots (unauthorised peers are dropped) and then calls `on.tls`;
 * plaintext goes to `on.plain` under PERMISSIVE and is refused under STRICT (also when no certificates
 * are loaded: fail closed).
 */
export function createMeshAcceptor(
  tls: Extract<ServerTls, { mode: 'ISTIO_MUTUAL' }>,
  certs: CertStore,
  on: {
    tls(sock: TLSSocket): void
    plain(s: Socket, first: Buffer): void
    /** A connection refused before TLS (plaintext on STRICT), with Envoy's details; called before the reset. */
    refused?(s: Socket, details: string): void
  },
  silentMs = 1000,
): (s: Socket) => void {
  let generation = -1
  let server: TlsServer | undefined
  const terminator = (): TlsServer | undefined => {
    const cur = certs.get()
    if (!cur) return undefined
    const material = { cert: cur.certs.certChain, key: cur.certs.privateKey, ca: cur.certs.rootCerts }
    if (!server) {
      server = createTlsServer({
        ...material,
        requestCert: true,
        rejectUnauthorized: true,
        ALPNProtocols: MESH_ALPN,
        minVersion: 'TLSv1.2',
      })
      server.on('secureConnection', (sock: TLSSocket) => {
        if (!sock.authorized) return sock.destroy()
        on.tls(sock)
      })
      server.on('tlsClientError', () => {})
    } else if (generation !== cur.generation) server.setSecureContext(material)
    generation = cur.generation
    return server
  }
  return (s) => {
    // A client that says nothing (a server-first protocol such as MySQL) counts as plaintext after
    // `silentMs`, like Istio's protocol detection timeout: served under PERMISSIVE, closed under STRICT.
    const silent = setTimeout(() => {
      s.removeAllListeners('data')
      if (tls.peerAuthentication === 'STRICT') {
        on.refused?.(s, 'filter_chain_not_found')
        s.resetAndDestroy()
      } else on.plain(s, Buffer.alloc(0))
    }, silentMs)
    s.once('close', () => clearTimeout(silent))
    s.once('data', (first: Buffer) => {
      clearTimeout(silent)
      s.pause()
      const t = first[0] === 0x16 ? terminator() : undefined
      if (t) {
        // node:tls takes over the native handle and reads the bytes put back first, so the TLS socket
        // keeps the peer's addresses and the data path stays native (no JS stream in between).
        s.unshift(first)
        t.emit('connection', s)
        return
      }
      if (tls.peerAuthentication === 'STRICT') {
        // Envoy's `filter_chain_not_found`: the client sees a reset (curl exit 56).
        on.refused?.(s, 'filter_chain_not_found')
        s.resetAndDestroy()
        return
      }
      on.plain(s, first)
    })
  }
}
