/**
 * @module samples/httpbin/main — a subset of httpbin: `/get`, `/headers`, `/ip`, `/status/N`,
 * `/delay/N`, `/html`, `/anything`, `/user-agent`. Env `HTTPBIN_FLAVOR=go` (go-httpbin, the istio sample's
 * image: header values as JSON arrays, port 8080) or `python` (kennethreitz/httpbin and httpbin.org:
 * header values as strings, port 80). It also stands in for the external `httpbin.org`.
 */
import type { IncomingMessage } from 'node:http'
import { listenPort, readBody, send, serve } from '../lib/serve.ts'
import { MOBY_HTML } from './moby.ts'

const flavor = process.env.HTTPBIN_FLAVOR === 'python' ? 'python' : 'go'
const MAX_DELAY_S = 10

/** Request headers with canonical names; arrays (go-httpbin) or comma-joined strings (python). */
export function headerMap(req: IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string[]> = {}
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = canonical(req.rawHeaders[i] ?? '')
    addTo(out, name, req.rawHeaders[i + 1] ?? '')
  }
  if (flavor === 'go') return out
  const flat: Record<string, string> = {}
  for (const [k, v] of Object.entries(out)) flat[k] = v.join(',')
  return flat
}

function addTo(map: Record<string, string[]>, key: string, value: string): void {
  const list = map[key] ?? []
  list.push(value)
  map[key] = list
}

function canonical(name: string): string {
  return name
    .split('-')
    .map((p) => (p ? p[0]!.toUpperCase() + p.slice(1).toLowerCase() : p))
    .join('-')
}

function origin(req: IncomingMessage): string {
  const xff = req.headers['x-forwarded-for']
  const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim()
  return first || (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '')
}

function args(url: URL): Record<string, string | string[]> {
  const out: Record<string, string[]> = {}
  for (const [k, v] of url.searchParams) addTo(out, k, v)
  if (flavor === 'go') return out
  const flat: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(out)) flat[k] = v.length === 1 ? v[0]! : v
  return flat
}

function fullUrl(req: IncomingMessage): string {
  return `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`
}

const json = (res: import('node:http').ServerResponse, status: number, v: unknown): void =>
  send(res, status, `${JSON.stringify(v, null, 2)}\n`, 'application/json; charset=utf-8', {
    'access-control-allow-origin': '*',
  })

function getBody(req: IncomingMessage, url: URL): Record<string, unknown> {
  const base: Record<string, unknown> = { args: args(url), headers: headerMap(req) }
  if (flavor === 'go') base.method = req.method
  return { ...base, origin: origin(req), url: fullUrl(req) }
}

serve(
  `httpbin (${flavor})`,
  async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const path = url.pathname
    const seg = path.split('/')
    if (path === '/get') return json(res, 200, getBody(req, url))
    if (path === '/headers') return json(res, 200, { headers: headerMap(req) })
    if (path === '/ip') return json(res, 200, { origin: origin(req) })
    if (path === '/user-agent') return json(res, 200, { 'user-agent': req.headers['user-agent'] ?? '' })
    if (path === '/html') return send(res, 200, MOBY_HTML, 'text/html; charset=utf-8')
    if (path === '/anything' || path.startsWith('/anything/')) {
      const data = await readBody(req)
      let parsed: unknown = null
      try {
        parsed = data ? JSON.parse(data) : null
      } catch {}
      const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
        ? Object.fromEntries(new URLSearchParams(data))
        : {}
      return json(res, 200, {
        args: args(url),
        data,
        files: {},
        form,
        headers: headerMap(req),
        json: parsed,
        method: req.method,
        origin: origin(req),
        url: fullUrl(req),
      })
    }
    if (seg[1] === 'status' && seg.length === 3) {
      const choices = (seg[2] ?? '').split(',').map(Number)
      const code = choices[Math.floor(Math.random() * choices.length)] ?? Number.NaN
      if (!Number.isInteger(code) || code < 100 || code > 599) return send(res, 400, 'Invalid status\n')
      return send(res, code, '', 'text/plain; charset=utf-8')
    }
    if (seg[1] === 'delay' && seg.length === 3) {
      const n = Number(seg[2])
      if (!Number.isFinite(n) || n < 0) return send(res, 400, 'Invalid delay\n')
      const ms = Math.min(n, MAX_DELAY_S) * 1000
      await new Promise((r) => setTimeout(r, ms))
      return json(res, 200, getBody(req, url))
    }
    if (path === '/')
      return send(res, 200, '<!DOCTYPE html><html><body><h1>httpbin</h1></body></html>\n', 'text/html')
    send(res, 404, '404 page not found\n')
  },
  listenPort(flavor === 'go' ? 8080 : 80),
)
