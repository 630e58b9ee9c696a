/** @module samples/lib/serve — starts a sample app's HTTP server on HOST/PORT with an access log. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { hostname } from 'node:os'

/** A request handler; a thrown error becomes a 500 answer. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

/** The pod name: `HOSTNAME` as the runtime sets it, else the machine's name. */
export function podName(): string {
  return process.env.HOSTNAME || hostname()
}

/** Reads `--name=value` or `--name value` from argv. */
export function argValue(name: string, argv: readonly string[] = process.argv.slice(2)): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? ''
    if (a === `--${name}`) return argv[i + 1]
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3)
  }
  return undefined
}

/** The port to listen on: `--port`, then env `PORT`, then the image's container port. */
export function listenPort(fallback: number, envName = 'PORT'): number {
  const raw = argValue('port') ?? process.env[envName]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`invalid port ${JSON.stringify(raw)} (from --port or ${envName})\n`)
    process.exit(64)
  }
  return n
}

/** The address to bind: env `HOST`, else every interface. */
export function listenHost(): string {
  return process.env.HOST || '0.0.0.0'
}

/** Writes one access-log line in the combined format (`"GET / HTTP/1.1" 200 2`). */
export function accessLog(req: IncomingMessage, res: ServerResponse): void {
  const started = new Date()
  res.on('finish', () => {
    const len = res.getHeader('content-length') ?? '-'
    const ua = req.headers['user-agent'] ?? ''
    const ref = req.headers.referer ?? ''
    const who = req.socket.remoteAddress ?? '-'
    process.stdout.write(
      `${who} - - [${started.toISOString()}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${res.statusCode} ${len} "${ref}" "${ua}"\n`,
    )
  })
}

/** Sends a complete answer with a Content-Length. */
export function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  type = 'text/plain; charset=utf-8',
  headers: Record<string, string | string[]> = {},
): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body
  for (const [k, v] of Object.entries({ 'content-type': type, ...headers })) res.setHeader(k, v)
  res.setHeader('content-length', String(buf.length))
  res.writeHead(status)
  res.end(buf)
}

/** Sends JSON (compact, as most of the originals do). */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers = {}): void {
  send(res, status, JSON.stringify(value), 'application/json', headers)
}

/** Reads a request body (bounded to 1 MiB). */
export async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of req) {
    size += (c as Buffer).length
    if (size > limit) throw new Error('request body too large')
    chunks.push(c as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * Starts the HTTP server and prints `listening on http://HOST:PORT` once bound (tests and the runtime
 * read the real port from that line when PORT=0). SIGTERM/SIGINT close it and exit 0.
 */
export function serve(name: string, handler: Handler, port: number, host = listenHost()): Server {
  const server = createServer((req, res) => {
    accessLog(req, res)
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((err: unknown) => {
        process.stderr.write(`${name}: ${err instanceof Error ? err.stack : String(err)}\n`)
        if (!res.headersSent) send(res, 500, 'Internal Server Error\n')
        else res.destroy()
      })
  })
  server.on('error', (err) => {
    process.stderr.write(`${name}: cannot listen on ${host}:${port}: ${err.message}\n`)
    process.exit(1)
  })
  server.listen(port, host, () => {
    const addr = server.address()
    const bound = typeof addr === 'object' && addr !== null ? addr.port : port
    process.stdout.write(`${name} listening on http://${host}:${bound}\n`)
  })
  exitOnSignals(() => server.close())
  return server
}

/** Exits 0 on SIGTERM/SIGINT after running `cleanup`. */
export function exitOnSignals(cleanup: () => void): void {
  const stop = (): void => {
    try {
      cleanup()
    } finally {
      process.exit(0)
    }
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

/** Parses the Cookie header into a map. */
export function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq <= 0) continue
    const k = part.slice(0, eq).trim()
    const raw = part.slice(eq + 1).trim()
    let v = raw
    try {
      v = decodeURIComponent(raw)
    } catch {}
    if (!out.has(k)) out.set(k, v)
  }
  return out
}

/** Escapes text for HTML. */
export function html(s: string | number): string {
  return String(s)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}
