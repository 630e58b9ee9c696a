/**
 * @module proxy/respond — the ONE place where failures become responses, with Envoy's response flags
 * and response code details (istio-semantics §2.15).
 */
import type { Exchange } from './exchange.ts'

/** A failure the proxy answers locally. */
export interface Failure {
  status: number
  /** Envoy short response flag (`%RESPONSE_FLAGS%`), '' for none. */
  flag: string
  /** `%RESPONSE_CODE_DETAILS%`. */
  details: string
  body: string
}

const RESET = 'upstream connect error or disconnect/reset before headers. reset reason: '

/** The failure vocabulary of the data plane. */
export const FAILURES = {
  noRoute: { status: 404, flag: 'NR', details: 'route_not_found', body: '' },
  noCluster: { status: 503, flag: 'NC', details: 'cluster_not_found', body: '' },
  noHealthyUpstream: { status: 503, flag: 'UH', details: 'no_healthy_upstream', body: 'no healthy upstream' },
  connectFailure: {
    status: 503,
    flag: 'UF',
    details: 'upstream_reset_before_response_started{connection_failure}',
    body: `${RESET}connection failure`,
  },
  remoteReset: {
    status: 503,
    flag: 'UR',
    details: 'upstream_reset_before_response_started{remote_reset}',
    body: `${RESET}remote reset`,
  },
  connectionTermination: {
    status: 503,
    flag: 'UC',
    details: 'upstream_reset_before_response_started{connection_termination}',
    body: `${RESET}connection termination`,
  },
  overflow: {
    status: 503,
    flag: 'UO',
    details: 'upstream_reset_before_response_started{overflow}',
    body: `${RESET}overflow`,
  },
  timeout: { status: 504, flag: 'UT', details: 'response_timeout', body: 'upstream request timeout' },
  perTryTimeout: {
    status: 504,
    flag: 'UT',
    details: 'upstream_per_try_timeout',
    body: 'upstream request timeout',
  },
  badRequest: { status: 400, flag: 'DPE', details: 'http1.codec_error', body: 'Bad Request' },
  tooManyHeaders: {
    status: 431,
    flag: 'DPE',
    details: 'http1.too_many_headers',
    body: 'Request Header Fields Too Large',
  },
  http10: { status: 426, flag: 'DPE', details: 'low_version', body: 'Upgrade Required' },
  invalidPath: { status: 400, flag: 'DPE', details: 'path_normalization_failed', body: 'Bad Request' },
} as const satisfies Record<string, Failure>

/** A fault-injected abort (FI). */
export function faultAbort(status: number): Failure {
  return { status, flag: 'FI', details: 'fault_filter_abort', body: 'fault filter abort' }
}

/**
 * Answers the exchange with a local reply for `failure` (unless headers are already out, in which case
 * the downstream stream is reset). Records flag and details on the exchange for telemetry.
 */
export function respondFailure(
  ex: Exchange,
  failure: Failure,
  opts: { extraFlags?: string[]; headers?: Record<string, string>; close?: boolean } = {},
): void {
  if (failure.flag) ex.flags.add(failure.flag)
  for (const f of opts.extraFlags ?? []) ex.flags.add(f)
  ex.details = failure.details
  const res = ex.res
  if (res.headersSent) {
    res.destroy()
    return
  }
  ex.responseCode = failure.status
  const headers: Record<string, string | number> = {
    'content-length': Buffer.byteLength(failure.body),
    'content-type': 'text/plain',
    server: ex.serverHeader,
    ...opts.headers,
  }
  if (opts.close && ex.req.httpVersionMajor === 1) headers.connection = 'close'
  if (failure.flag === 'UO') headers['x-envoy-overloaded'] = 'true'
  res.writeHead(failure.status, headers)
  res.end(ex.method === 'HEAD' ? undefined : failure.body)
}

/** A direct response (redirect, directResponse, CORS preflight, block_all): details `direct_response`. */
export function respondDirect(
  ex: Exchange,
  status: number,
  headers: Record<string, string | string[]>,
  body: string | undefined,
): void {
  ex.details = 'direct_response'
  ex.responseCode = status
  const out: Record<string, string | string[] | number> = { server: ex.serverHeader, ...headers }
  if (body !== undefined && body !== '') {
    out['content-length'] = Buffer.byteLength(body)
    if (!('content-type' in out)) out['content-type'] = 'text/plain'
  } else out['content-length'] = 0
  ex.res.writeHead(status, out)
  ex.res.end(body && ex.method !== 'HEAD' ? body : undefined)
}
