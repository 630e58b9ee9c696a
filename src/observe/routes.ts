/**
 * @module observe/routes — the control plane's observability HTTP routes:
 * `GET /observe/v1/prometheus-sd` (Prometheus HTTP service discovery), `GET /observe/v1/stat`,
 * `GET /observe/v1/top`, `GET /observe/v1/traces`, and Zipkin's `POST /api/v2/spans` (what proxies
 * export to). Everything but the span intake needs the bearer token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { hasBearer, sendJson, sendUnauthorized } from '../xds/auth.ts'
import type { PushServer } from '../xds/server.ts'
import { getText, scrapeAll } from './scrape.ts'
import { loopbackAdminUrl, serviceDiscovery } from './sd.ts'
import { parseZipkinSpans, type ZipkinSpan } from './spans.ts'
import { computeStat, type PodRef, type ProxyWindow, type StatKind } from './stat.ts'
import { computeTop } from './top.ts'
import type { TraceStore } from './trace-store.ts'
import { parseWindow } from './window.ts'

/** Zipkin's span intake path (what `mesh.tracing.zipkinUrl` points at). */
export const ZIPKIN_SPANS_PATH = '/api/v2/spans'
const MAX_SPAN_BODY = 4 << 20
const KINDS: Record<string, StatKind> = {
  deploy: 'deploy',
  deployment: 'deploy',
  deployments: 'deploy',
  svc: 'svc',
  service: 'svc',
  services: 'svc',
  po: 'pod',
  pod: 'pod',
  pods: 'pod',
}

/** What the routes read. */
export interface ObserveDeps {
  push: PushServer
  token: string
  /** The control plane's own URL (for its `/metrics` target); known once it listens. */
  selfUrl(): string | undefined
  traces: TraceStore
  /** Pods the control plane knows of (for `weir stat`'s MESHED column). */
  pods?: () => readonly PodRef[]
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function stat(deps: ObserveDeps, url: URL, res: ServerResponse): Promise<void> {
  const kind = KINDS[url.searchParams.get('kind') ?? 'deploy']
  if (!kind) return sendJson(res, 400, { error: `kind must be deploy, svc or pod` })
  const window = parseWindow(url.searchParams.get('window') ?? '30s')
  if (!window.ok) return sendJson(res, 400, { error: window.error })
  const nodes = deps.push.nodes()
  let before: Map<string, ProxyWindow['before']> | undefined
  if (window.ms > 0) {
    before = new Map((await scrapeAll(nodes)).map((s) => [s.node.id, s.ok ? s.samples : undefined]))
    await sleep(window.ms)
  }
  const after = await scrapeAll(deps.push.nodes())
  const windows: ProxyWindow[] = []
  const errors: string[] = []
  for (const s of after) {
    if (!s.ok) {
      errors.push(`${s.node.id}: ${s.error}`)
      continue
    }
    // A proxy that connected during the window counts from zero.
    windows.push({
      node: s.node,
      before: before ? (before.get(s.node.id) ?? []) : undefined,
      after: s.samples,
    })
  }
  const filter: { name?: string; namespace?: string } = {}
  const name = url.searchParams.get('name')
  const ns = url.searchParams.get('namespace')
  if (name) filter.name = name
  if (ns) filter.namespace = ns
  sendJson(res, 200, {
    kind,
    windowSeconds: window.ms / 1000,
    rows: computeStat(kind, windows, window.ms / 1000, filter, deps.pods?.()),
    errors,
  })
}

async function top(deps: ObserveDeps, url: URL, res: ServerResponse): Promise<void> {
  const since = parseWindow(url.searchParams.get('since') ?? '60s')
  if (!since.ok) return sendJson(res, 400, { error: since.error })
  const spans: ZipkinSpan[] = []
  await Promise.all(
    deps.push
      .nodes()
      .map((n) => loopbackAdminUrl(n.adminUrl))
      .filter((u) => u !== undefined)
      .map(async (admin) => {
        const r = await getText(admin, '/spans')
        if (!r.ok) return
        try {
          spans.push(...parseZipkinSpans(JSON.parse(r.text)).spans)
        } catch {}
      }),
  )
  const opts: { sinceMicros?: number; namespace?: string; limit?: number } = {
    limit: Math.min(1000, Number(url.searchParams.get('limit')) || 100),
  }
  if (since.ms > 0) opts.sinceMicros = (Date.now() - since.ms) * 1000
  const ns = url.searchParams.get('namespace')
  if (ns) opts.namespace = ns
  sendJson(res, 200, { rows: computeTop(spans, opts) })
}

function intake(deps: ObserveDeps, req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = []
  let size = 0
  req.on('data', (c: Buffer) => {
    size += c.length
    if (size > MAX_SPAN_BODY) {
      sendJson(res, 413, { error: 'span batch over 4 MiB' })
      req.destroy()
      return
    }
    chunks.push(c)
  })
  req.on('end', () => {
    if (res.headersSent) return
    let body: unknown
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      return sendJson(res, 400, { error: 'body must be a JSON array of Zipkin v2 spans' })
    }
    const { spans, dropped } = parseZipkinSpans(body)
    deps.traces.add(spans)
    res.writeHead(202, dropped ? { 'x-weir-dropped-spans': String(dropped) } : {}).end()
  })
}

/** The routes as one handler; returns false (response untouched) for any other path. */
export function createObserveRoutes(
  deps: ObserveDeps,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://controlplane')
    if (url.pathname === ZIPKIN_SPANS_PATH) {
      if (req.method !== 'POST') sendJson(res, 405, { error: 'POST Zipkin v2 JSON spans here' })
      else intake(deps, req, res)
      return true
    }
    if (!url.pathname.startsWith('/observe/v1/')) return false
    if (!hasBearer(req, deps.token)) {
      sendUnauthorized(res)
      return true
    }
    const fail = (err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(err) })
    }
    switch (url.pathname) {
      case '/observe/v1/prometheus-sd':
        sendJson(res, 200, serviceDiscovery(deps.push.nodes(), deps.selfUrl()))
        return true
      case '/observe/v1/stat':
        stat(deps, url, res).catch(fail)
        return true
      case '/observe/v1/top':
        top(deps, url, res).catch(fail)
        return true
      case '/observe/v1/traces': {
        const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get('limit')) || 20))
        sendJson(res, 200, { traces: deps.traces.traces(limit) })
        return true
      }
      default:
        sendJson(res, 404, { error: `no route ${url.pathname}` })
        return true
    }
  }
}
