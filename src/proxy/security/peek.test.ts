import assert from 'node:assert/strict'
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net'
import { after, it } from 'node:test'
import { connect as tlsConnect } from 'node:tls'
import { type PeekedProtocol, peekProtocol } from './peek.ts'

const servers: Server[] = []
after(() => {
  for (const s of servers) s.close()
})

/** A server that peeks each connection and reports the verdict plus the bytes still readable afterwards. */
async function peeker(
  timeoutMs: number,
): Promise<{ port: number; next: () => Promise<{ p: PeekedProtocol; first: string }> }> {
  const results: { p: PeekedProtocol; first: string }[] = []
  const waiters: ((r: { p: PeekedProtocol; first: string }) => void)[] = []
  const s = createServer((sock: Socket) => {
    sock.on('error', () => {})
    void peekProtocol(sock, timeoutMs).then((p) => {
      const chunk = sock.read() as Buffer | null
      const r = { p, first: chunk ? chunk.subarray(0, 4).toString('latin1') : '' }
      const w = waiters.shift()
      if (w) w(r)
      else results.push(r)
      sock.destroy()
    })
  })
  servers.push(s)
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  return {
    port: (s.address() as AddressInfo).port,
    next: () => {
      const r = results.shift()
      return r ? Promise.resolve(r) : new Promise((resolve) => waiters.push(resolve))
    },
  }
}

it('tells a TLS ClientHello from plaintext and puts the bytes back', async () => {
  const { port, next } = await peeker(5000)
  const plain = connect({ host: '127.0.0.1', port }, () => plain.write('GET / HTTP/1.1\r\n\r\n'))
  plain.on('error', () => {})
  assert.deepEqual(await next(), { p: 'plaintext', first: 'GET ' })
  const tls = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false })
  tls.on('error', () => {})
  const r = await next()
  assert.equal(r.p, 'tls')
  assert.equal(r.first.charCodeAt(0), 0x16)
})

it('a client that closes without a byte is `closed`; a silent one counts as plaintext after the timeout', async () => {
  const { port, next } = await peeker(50)
  const quiet = connect({ host: '127.0.0.1', port }, () => quiet.end())
  assert.deepEqual(await next(), { p: 'closed', first: '' })
  const silent = connect({ host: '127.0.0.1', port })
  silent.on('error', () => {})
  assert.deepEqual(await next(), { p: 'plaintext', first: '' })
  silent.destroy()
})
