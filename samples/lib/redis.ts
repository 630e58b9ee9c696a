/** @module samples/lib/redis — a tiny Redis client speaking RESP over one TCP connection. */
import { connect, type Socket } from 'node:net'

/** A RESP reply: simple/bulk strings, integers, null, or arrays of them. */
export type RedisReply = string | number | null | RedisReply[]

/** A Redis client; `command` sends one command and resolves with its reply. */
export interface RedisClient {
  command(...args: (string | number)[]): Promise<RedisReply>
  close(): void
}

interface Pending {
  resolve: (r: RedisReply) => void
  reject: (e: Error) => void
}

/** Encodes a command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)]
  for (const a of args) {
    const b = Buffer.from(String(a))
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'))
  }
  return Buffer.concat(parts)
}

/**
 * Parses one reply at `offset`; returns it and the offset after it, or `undefined` when the buffer
 * holds only part of it. A RESP error reply becomes an `Error` value.
 */
export function parseReply(
  buf: Buffer,
  offset: number,
): { value: RedisReply | Error; next: number } | undefined {
  const eol = buf.indexOf('\r\n', offset)
  if (eol < 0) return undefined
  const type = String.fromCharCode(buf[offset] ?? 0)
  const line = buf.toString('utf8', offset + 1, eol)
  const after = eol + 2
  switch (type) {
    case '+':
      return { value: line, next: after }
    case '-':
      return { value: new Error(line), next: after }
    case ':':
      return { value: Number(line), next: after }
    case '$': {
      const len = Number(line)
      if (len < 0) return { value: null, next: after }
      if (buf.length < after + len + 2) return undefined
      return { value: buf.toString('utf8', after, after + len), next: after + len + 2 }
    }
    case '*': {
      const n = Number(line)
      if (n < 0) return { value: null, next: after }
      const items: RedisReply[] = []
      let at = after
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, at)
        if (r === undefined) return undefined
        items.push(r.value instanceof Error ? null : r.value)
        at = r.next
      }
      return { value: items, next: at }
    }
    default:
      return { value: new Error(`bad RESP reply type ${JSON.stringify(type)}`), next: buf.length }
  }
}

/** Creates a client for `host:port`; it connects lazily and reconnects after a failure. */
export function createRedisClient(host: string, port: number): RedisClient {
  let socket: Socket | undefined
  let buffered: Buffer = Buffer.alloc(0)
  let pending: Pending[] = []

  const fail = (err: Error): void => {
    const waiting = pending
    pending = []
    buffered = Buffer.alloc(0)
    socket?.destroy()
    socket = undefined
    for (const p of waiting) p.reject(err)
  }

  const open = (): Socket => {
    if (socket) return socket
    const s = connect({ host, port })
    s.setNoDelay(true)
    s.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk])
      let at = 0
      for (;;) {
        const r = parseReply(buffered, at)
        if (r === undefined) break
        at = r.next
        const p = pending.shift()
        if (p) r.value instanceof Error ? p.reject(r.value) : p.resolve(r.value)
      }
      buffered = buffered.subarray(at)
    })
    s.on('error', (e) => fail(new Error(`Redis at ${host}:${port}: ${e.message}`)))
    s.on('close', () => {
      if (socket === s) fail(new Error(`Redis at ${host}:${port}: connection closed`))
    })
    socket = s
    return s
  }

  return {
    command(...args) {
      return new Promise((resolve, reject) => {
        pending.push({ resolve, reject })
        open().write(encodeCommand(args))
      })
    },
    close() {
      const s = socket
      socket = undefined
      s?.end()
    },
  }
}
