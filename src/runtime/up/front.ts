/**
 * @module runtime/up/front — the one address `weir up` publishes in `<state>/server.json`: the push stream and
 * its `/debug/*` and `/metrics` routes served here, every other request passed through to the control plane's
 * REST API (watches included, streamed).
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A listening front server. */
export interface Front {
  url: string
  close(): Promise<void>
}

/** Listens on 127.0.0.1:`port` (0: any). `routes` answers what it knows and returns false otherwise. */
export async function startFront(opts: {
  routes: (req: IncomingMessage, res: ServerResponse) => boolean
  apiUrl: string
  port?: number
}): Promise<Front> {
  const api = new URL(opts.apiUrl)
  const server = createServer({ requestTimeout: 0, keepAliveTimeout: 5_000 }, (req, res) => {
    if (opts.routes(req, res)) return
    const upstream = request(
      {
        host: api.hostname,
        port: api.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers)
        r.pipe(res)
      },
    )
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(`control plane unreachable: ${err.message}\n`)
    })
    res.on('close', () => upstream.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const addr = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
