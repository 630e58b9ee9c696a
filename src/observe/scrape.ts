/** @module observe/scrape — reads connected proxies' admin endpoints (`/stats/prometheus`, `/spans`), bounded in time. */
import type { ProxyNode } from '../xds/protocol.ts'
import { parsePrometheusText, type Sample } from './prom-text.ts'
import { loopbackAdminUrl } from './sd.ts'

/** One proxy's metrics at one moment, or why they could not be read. */
export type Scrape =
  | { node: ProxyNode; ok: true; samples: Sample[] }
  | { node: ProxyNode; ok: false; error: string }

/** GETs `adminUrl + path` as text within `timeoutMs`; never throws. */
export async function getText(
  adminUrl: string,
  path: string,
  timeoutMs = 2000,
): Promise<{ ok: true; text: string } | { ok: false; error: string }> {
  try {
    const res = await fetch(`${adminUrl.replace(/\/+$/, '')}${path}`, {
      signal: AbortSignal.timeout(timeoutMs),
    })
    const text = await res.text()
    return res.ok ? { ok: true, text } : { ok: false, error: `${res.status} from ${path}` }
  } catch (err) {
    return { ok: false, error: `cannot reach ${adminUrl}: ${(err as Error).message}` }
  }
}

/** Scrapes every node that said where its admin server is, in parallel. */
export async function scrapeAll(nodes: readonly ProxyNode[]): Promise<Scrape[]> {
  return Promise.all(
    nodes
      .filter((n) => loopbackAdminUrl(n.adminUrl) !== undefined)
      .map(async (node): Promise<Scrape> => {
        const r = await getText(loopbackAdminUrl(node.adminUrl)!, '/stats/prometheus')
        return r.ok
          ? { node, ok: true, samples: parsePrometheusText(r.text) }
          : { node, ok: false, error: r.error }
      }),
  )
}
