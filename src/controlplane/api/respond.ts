/** @module controlplane/api/respond — JSON responses and Kubernetes `Status` errors. */
import type { ServerResponse } from 'node:http'
import type { ApiStatus } from '../store/types.ts'

/** Sends a JSON body with a status code. */
export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(code, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

/** Sends a failure `Status` with its code. */
export function sendStatus(res: ServerResponse, status: ApiStatus): void {
  sendJson(res, status.code, status)
}
