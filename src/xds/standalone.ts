/** @module xds/standalone — the push server's routes as one handler, and on its own HTTP listener (tests, benchmarks). */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sendJson } from './auth.ts'
import { createDebugHandler } from './debug-handlers.ts'
import type { PushServer } from './server.ts'

/**
 * Every route of the push server as one handler for the control plane to mount: the stream
 * (`POST /xds/v1/stream`), the `/debug/*` handlers, and `GET /metrics` (istiod's `pilot_*` metrics).
 * Returns false, without touching the response, for any other path.
 */
export function createPushRoutes(
  push: PushServer,
  token: string,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const debug = createDebugHandler(push, token)
  return (req, res) => {
    if (push.handle(req, res) || debug(req, res)) return true
    if (req.url !== '/metrics') return false
    void push
      .metrics()
      .then((text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text))
    return true
  }
}

/** A listening push server. */
export interface PushListener {
  /** `http://127.0.0.1:<port>`. */
  url: string
  /** Stops listening and ends every stream. */
  close(): Promise<void>
}

/**
 * Listens on `host:port` (default 127.0.0.1, port 0) and serves {@link createPushRoutes}.
 * `requestTimeout: 0` matters: a push stream is one request that never finishes, and Node's default
 * would cut it after 5 minutes.
 */
export async function listenPushServer(
  push: PushServer,
  opts: { token: string; host?: string; port?: number },
): Promise<PushListener> {
  const routes = createPushRoutes(push, opts.token)
  const server = createServer({ requestTimeout: 0, keepAliveTimeout: 5_000 }, (req, res) => {
    if (!routes(req, res)) sendJson(res, 404, { error: `no route ${req.method} ${req.url}` })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve())
  })
  const addr = server.address() as AddressInfo
  return {
    url: `http://${addr.address}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        push.close()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
