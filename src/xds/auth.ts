/** @module xds/auth — bearer-token check shared by the push stream and the debug handlers. */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

/** True when the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function hasBearer(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false
  return timingSafeEqual(digest(header.slice('Bearer '.length).trim()), digest(token))
}

/** Answers 401 in the Kubernetes `Status` shape. */
export function sendUnauthorized(res: ServerResponse): void {
  sendJson(res, 401, {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    reason: 'Unauthorized',
    message: 'missing or wrong bearer token (Authorization: Bearer <token>, the token in <state>/token)',
    code: 401,
  })
}

/** Writes a JSON body with the status code. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
