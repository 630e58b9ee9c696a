/** @module xds/debug-handlers — the control plane's `/debug/*` endpoints over a push server (for `weir proxy-status`, `proxy-config`, `wait`). */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { hasBearer, sendJson, sendUnauthorized } from './auth.ts'
import type { PushServer } from './server.ts'

/** Longest `GET /debug/sync?timeoutMs=` waits in one request. */
export const MAX_SYNC_WAIT_MS = 60_000

/** The body of `GET /debug/sync`. */
export interface SyncReport {
  converged: boolean
  pushPending: boolean
  proxies: ReturnType<PushServer['status']>
}

/**
 * Creates a handler serving, behind the bearer token:
 * - `GET /debug/proxy-status` → `ProxyStatusRow[]` (JSON), one per connected proxy;
 * - `GET /debug/config_dump?proxy=<pod.ns>` → the `ProxyConfig` last sent to that proxy, private keys
 *   redacted (404 if none);
 * - `GET /debug/sync?timeoutMs=<n>` → {@link SyncReport}, after waiting up to n ms (≤ 60 s) for convergence.
 * Returns false, without touching the response, for any other path.
 */
export function createDebugHandler(
  push: PushServer,
  token: string,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const route = url.pathname
    if (route !== '/debug/proxy-status' && route !== '/debug/config_dump' && route !== '/debug/sync')
      return false
    if (!hasBearer(req, token)) {
      sendUnauthorized(res)
      return true
    }
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: `use GET ${route}` })
      return true
    }
    if (route === '/debug/proxy-status') sendJson(res, 200, push.status())
    else if (route === '/debug/config_dump') configDump(push, url, res)
    else void sync(push, url, res)
    return true
  }
}

function configDump(push: PushServer, url: URL, res: ServerResponse): void {
  const proxy = url.searchParams.get('proxy')
  if (!proxy) {
    sendJson(res, 400, { error: 'query parameter proxy=<pod>.<namespace> is required' })
    return
  }
  const config = push.configDump(proxy)
  if (!config) {
    const connected = push.status().some((r) => r.proxy === proxy)
    const why = connected ? 'no config has been sent to it yet' : 'it is not connected to this control plane'
    sendJson(res, 404, { error: `proxy ${proxy}: ${why}` })
    return
  }
  sendJson(res, 200, redactSecrets(config))
}

/** A deep copy with every `privateKey` replaced by `[redacted]`, as Envoy's config_dump does for secrets. */
export function redactSecrets<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (k, v) => (k === 'privateKey' && typeof v === 'string' ? '[redacted]' : v)),
  )
}

async function sync(push: PushServer, url: URL, res: ServerResponse): Promise<void> {
  const raw = Number(url.searchParams.get('timeoutMs') ?? '0')
  if (!Number.isFinite(raw) || raw < 0) {
    sendJson(res, 400, { error: 'timeoutMs must be a number ≥ 0' })
    return
  }
  const result = await push.waitForConvergence(Math.min(raw, MAX_SYNC_WAIT_MS))
  if (res.destroyed) return
  const body: SyncReport = {
    converged: result.converged,
    pushPending: push.pushPending(),
    proxies: push.status(),
  }
  sendJson(res, 200, body)
}
