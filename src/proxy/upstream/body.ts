/** @module proxy/upstream/body — buffering of small request bodies (so retries and mirrors can replay them). */
import type { IncomingMessage } from 'node:http'

/** Reads a request body of `expected` bytes into memory; null when the client went away. */
export function readBody(req: IncomingMessage, expected: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let n = 0
    req.on('data', (c: Buffer) => {
      n += c.length
      if (n <= expected) chunks.push(c)
    })
    req.once('end', () => resolve(Buffer.concat(chunks)))
    req.once('error', () => resolve(null))
    req.once('close', () => {
      if (!req.complete) resolve(null)
    })
  })
}
