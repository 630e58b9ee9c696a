/** @module samples/lib/fetch — outbound HTTP/1.1 calls from sample apps (node:http, with timeouts). */
import { request } from 'node:http'

/** The answer of an outbound call. */
export interface FetchResult {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** Options of an outbound call. */
export interface FetchOptions {
  method?: string
  headers?: Record<string, string>
  body?: string
  /** Whole-call timeout in ms; 0 waits forever. */
  timeoutMs?: number
}

/** GETs (or sends) `url` over plain HTTP; rejects on network errors and timeouts. */
export function fetchText(url: string, opts: FetchOptions = {}): Promise<FetchResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    const req = request(
      {
        host: u.hostname,
        port: u.port || 80,
        path: `${u.pathname}${u.search}`,
        method: opts.method ?? 'GET',
        headers: { ...(opts.headers ?? {}), connection: 'close' },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          clearTimeout(timer)
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          })
        })
        res.on('error', (e) => {
          clearTimeout(timer)
          reject(e)
        })
      },
    )
    const ms = opts.timeoutMs ?? 0
    const timer =
      ms > 0
        ? setTimeout(() => req.destroy(new Error(`timeout after ${ms} ms calling ${url}`)), ms)
        : undefined
    req.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    req.end(opts.body)
  })
}

/** Copies the named request headers that are present (lower-case names). */
export function pickHeaders(
  from: Record<string, string | string[] | undefined>,
  names: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const n of names) {
    const v = from[n]
    if (v === undefined) continue
    out[n] = Array.isArray(v) ? v.join(', ') : v
  }
  return out
}
