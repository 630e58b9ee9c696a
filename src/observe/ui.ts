/**
 * @module observe/ui — the dashboard under `/ui/`: a `?token=` login that sets an HttpOnly cookie, the
 * built web app (`dashboard/dist`), and its JSON API (`/ui/api/graph|services|proxies|config|shift`).
 * Nothing is served without the token.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Store } from '../controlplane/store/store.ts'
import { hasBearer, sendJson } from '../xds/auth.ts'
import type { PushServer } from '../xds/server.ts'
import { computeGraph } from './graph.ts'
import type { Sample } from './prom-text.ts'
import { scrapeAll } from './scrape.ts'
import type { ProxyWindow } from './stat.ts'
import { configWithMessages, type ShiftRequest, serviceRoutes, shiftTraffic } from './ui-data.ts'

/** Where the built dashboard lives. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url))
const COOKIE = 'weir_ui'
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
}

/** What the dashboard reads and writes. */
export interface UiDeps {
  push: PushServer
  store: Store
  token: string
  /** Override of {@link DASHBOARD_DIR} (tests). */
  dir?: string
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()
const same = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b))

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === COOKIE) return decodeURIComponent(v.join('='))
  }
  return undefined
}

function page(res: ServerResponse, status: number, text: string): void {
  const body = `<!doctype html><meta charset="utf-8"><title>Weir</title><p>${text}</p>\n`
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  })
  res.end(body)
}

function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > limit) {
        req.destroy()
        resolve(undefined)
      } else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', () => resolve(undefined))
  })
}

/** Creates the `/ui` handler; returns false (untouched) for other paths. */
export function createUiRoutes(deps: UiDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const dir = deps.dir ?? DASHBOARD_DIR
  // Scrapes kept for rates: the graph's window runs from the oldest scrape of the last minute.
  const history: { at: number; samples: Map<string, Sample[]> }[] = []

  async function graph(url: URL, res: ServerResponse): Promise<void> {
    const now = Date.now()
    const nodes = deps.push.nodes()
    const scrapes = await scrapeAll(nodes)
    const current = new Map(scrapes.flatMap((s) => (s.ok ? [[s.node.id, s.samples] as const] : [])))
    while (history.length > 0 && now - history[0]!.at > 60_000) history.shift()
    const base = history.find((h) => now - h.at >= 1000)
    history.push({ at: now, samples: current })
    if (history.length > 100) history.shift()
    const windows: ProxyWindow[] = scrapes.flatMap((s) =>
      s.ok
        ? [{ node: s.node, before: base ? (base.samples.get(s.node.id) ?? []) : undefined, after: s.samples }]
        : [],
    )
    const ns = url.searchParams.get('namespace') ?? undefined
    sendJson(res, 200, computeGraph(windows, base ? (now - base.at) / 1000 : 0, ns || undefined))
  }

  async function shift(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = req.headers.origin
    if (origin !== undefined && origin !== `http://${req.headers.host}`)
      return sendJson(res, 403, { error: 'cross-origin request refused' })
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
      return sendJson(res, 415, { error: 'send application/json' })
    const text = await readBody(req)
    let body: ShiftRequest
    try {
      body = JSON.parse(text ?? '') as ShiftRequest
    } catch {
      return sendJson(res, 400, { error: 'body must be JSON {namespace, name, rule, weights, dryRun}' })
    }
    const r = shiftTraffic(deps.store, body)
    if (!r.ok) return sendJson(res, r.status, { error: r.error })
    if (!r.applied) return sendJson(res, 200, { diff: r.diff, applied: false })
    const converged = await deps.push.waitForConvergence(5_000)
    sendJson(res, 200, { diff: r.diff, applied: true, converged: converged.converged })
  }

  async function file(pathname: string, res: ServerResponse): Promise<void> {
    const rel = normalize(pathname.slice('/ui/'.length) || 'index.html')
    if (rel.startsWith('..') || rel.includes('\0')) return page(res, 404, 'not found')
    let body: Buffer
    let type = TYPES[extname(rel)] ?? 'application/octet-stream'
    try {
      body = await readFile(`${dir}/${rel}`)
    } catch {
      try {
        body = await readFile(`${dir}/index.html`)
        type = TYPES['.html']!
      } catch {
        return page(res, 503, 'The dashboard is not built: run <code>npm run build:dashboard</code>.')
      }
    }
    res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-cache' })
    res.end(body)
  }

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://controlplane')
    if (url.pathname !== '/ui' && !url.pathname.startsWith('/ui/')) return false
    const fail = (err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(err) })
    }
    const login = url.searchParams.get('token')
    if (login !== null) {
      if (!same(login, deps.token)) {
        page(res, 401, 'Wrong token. Run <code>weir dashboard</code> for a working link.')
        return true
      }
      res.writeHead(303, {
        'set-cookie': `${COOKIE}=${encodeURIComponent(login)}; HttpOnly; SameSite=Strict; Path=/ui`,
        location: '/ui/',
      })
      res.end()
      return true
    }
    const cookie = cookieToken(req)
    if (!(cookie !== undefined && same(cookie, deps.token)) && !hasBearer(req, deps.token)) {
      page(res, 401, 'Not logged in. Open the link <code>weir dashboard</code> prints.')
      return true
    }
    if (url.pathname === '/ui') {
      res.writeHead(301, { location: '/ui/' }).end()
      return true
    }
    switch (url.pathname) {
      case '/ui/api/graph':
        graph(url, res).catch(fail)
        return true
      case '/ui/api/services':
        sendJson(res, 200, serviceRoutes(deps.store))
        return true
      case '/ui/api/proxies':
        sendJson(res, 200, deps.push.status())
        return true
      case '/ui/api/config':
        sendJson(res, 200, configWithMessages(deps.store))
        return true
      case '/ui/api/shift':
        if (req.method !== 'POST') sendJson(res, 405, { error: 'POST a shift' })
        else shift(req, res).catch(fail)
        return true
      default:
        if (url.pathname.startsWith('/ui/api/')) sendJson(res, 404, { error: `no route ${url.pathname}` })
        else file(url.pathname, res).catch(fail)
        return true
    }
  }
}
