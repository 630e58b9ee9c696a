/**
 * @module proxy/listener/guard — request-smuggling and header-limit checks on the parsed request head,
 * before anything is routed (reliability.md §0, §4.3 B1–B3). llhttp's strict mode already rejects
 * obs-fold, bare LF, NUL and CL+TE; these checks hold even where it does not.
 */
import type { IncomingMessage } from 'node:http'
import { FAILURES, type Failure } from '../respond.ts'

/** Envoy's default `max_headers_count`. */
export const MAX_HEADERS = 100

/** The failure a request head deserves, or undefined when it may proceed. */
export function checkRequestHead(req: IncomingMessage): Failure | undefined {
  // Envoy's accept_http_10 is off in Istio (PILOT_HTTP10 unset): HTTP/1.0 gets 426.
  if (req.httpVersionMajor === 1 && req.httpVersionMinor === 0) return FAILURES.http10
  const raw = req.rawHeaders
  if (raw.length / 2 > MAX_HEADERS) return FAILURES.tooManyHeaders
  let contentLength = 0
  let transferEncoding = 0
  let host = 0
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    const len = name.length
    if (len === 14 && name.toLowerCase() === 'content-length') contentLength++
    else if (len === 17 && name.toLowerCase() === 'transfer-encoding') {
      transferEncoding++
      if (raw[i + 1]!.trim().toLowerCase() !== 'chunked') return FAILURES.badRequest
    } else if (len === 4 && name.toLowerCase() === 'host') host++
    const value = raw[i + 1]!
    if (value.includes('\n') || value.includes('\r') || value.includes('\0')) return FAILURES.badRequest
  }
  if (contentLength > 1 || transferEncoding > 1 || host > 1) return FAILURES.badRequest
  if (contentLength > 0 && transferEncoding > 0) return FAILURES.badRequest
  if (req.httpVersionMajor !== 1 && req.httpVersionMajor !== 2) return FAILURES.badRequest
  const url = req.url ?? ''
  if (url.charCodeAt(0) !== 47 /* / */ && !(req.method === 'OPTIONS' && url === '*'))
    return FAILURES.badRequest
  return undefined
}
