/**
 * @module proxy/security/peek — TLS or plaintext? Looks at the first bytes of a connection without
 * consuming them (Envoy's tls_inspector), so a PERMISSIVE port can accept both.
 */
import type { Socket } from 'node:net'

/** What the first bytes of a connection look like. `closed`: the peer sent nothing and went away. */
export type PeekedProtocol = 'tls' | 'plaintext' | 'closed'

/**
 * Reads the first chunk of `socket`, puts it back (`unshift`) and leaves the socket paused, so the
 * caller can hand it to a TLS or plaintext server (`server.emit('connection', socket)`).
 * A TLS ClientHello starts with a handshake record: 0x16, version major 0x03.
 * Bounded by `timeoutMs` (default 10 s): a silent client counts as plaintext (server-first protocols).
 */
export function peekProtocol(socket: Socket, timeoutMs = 10_000): Promise<PeekedProtocol> {
  return new Promise((resolve) => {
    let done = false
    const finish = (p: PeekedProtocol): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('end', onGone)
      socket.off('close', onGone)
      socket.off('error', onGone)
      resolve(p)
    }
    const onData = (chunk: Buffer): void => {
      socket.pause()
      socket.unshift(chunk)
      finish(chunk[0] === 0x16 && (chunk.length < 2 || chunk[1] === 0x03) ? 'tls' : 'plaintext')
    }
    const onGone = (): void => finish('closed')
    const timer = setTimeout(() => {
      socket.pause()
      finish('plaintext')
    }, timeoutMs)
    timer.unref()
    socket.on('data', onData)
    socket.once('end', onGone)
    socket.once('close', onGone)
    socket.once('error', onGone)
  })
}

/**
 * Hands a peeked plaintext socket to an `http.Server` (or any server listening for 'connection').
 * Node's HTTP server reads the socket's handle directly and would never see the bytes put back by
 * `peekProtocol`, so they are taken out first and replayed as a 'data' event. (TLS servers need no
 * help: `tlsServer.emit('connection', socket)` reads buffered bytes itself.)
 */
export function handOffPlaintext(
  server: { emit(event: 'connection', socket: Socket): boolean },
  socket: Socket,
): void {
  const chunks: Buffer[] = []
  for (let c: Buffer | null = socket.read(); c !== null; c = socket.read()) chunks.push(c)
  server.emit('connection', socket)
  for (const c of chunks) socket.emit('data', c)
  socket.resume()
}
