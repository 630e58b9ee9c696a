/**
 * @module proxy/filters/retry — Envoy's retry decisions: which outcomes are retriable under `retryOn`,
 * and the backoff between attempts (full jitter, base × (2^n − 1), at most 10 × base).
 */
import type { RetryPolicy } from '../../proxyconfig/types.ts'

/** The outcome of one attempt as the retry filter sees it. */
export type RetryOutcome =
  | { kind: 'response'; status: number; grpcStatus: number | undefined }
  | { kind: 'connectFailure' }
  | { kind: 'reset' }
  | { kind: 'perTryTimeout' }

/** A retry policy compiled once: token set plus status codes. */
export interface CompiledRetry {
  policy: RetryPolicy
  on: Set<string>
  codes: Set<number>
}

/** Compiles a retry policy (numeric `retryOn` tokens are status codes). */
export function compileRetry(policy: RetryPolicy): CompiledRetry {
  const on = new Set<string>()
  const codes = new Set(policy.retriableStatusCodes)
  for (const raw of policy.retryOn) {
    const t = raw.trim()
    if (/^\d{3}$/.test(t)) {
      codes.add(Number(t))
      on.add('retriable-status-codes')
    } else on.add(t)
  }
  return { policy, on, codes }
}

const GRPC_ON: Record<string, number> = {
  cancelled: 1,
  'deadline-exceeded': 4,
  'resource-exhausted': 8,
  internal: 13,
  unavailable: 14,
}

/** True when Envoy would retry this outcome under the policy. */
export function isRetriable(r: CompiledRetry, o: RetryOutcome): boolean {
  const on = r.on
  switch (o.kind) {
    case 'connectFailure':
      return on.has('connect-failure') || on.has('5xx') || on.has('gateway-error') || on.has('reset')
    case 'reset':
      return on.has('reset') || on.has('5xx') || on.has('gateway-error')
    case 'perTryTimeout':
      return on.has('5xx') || on.has('gateway-error') || on.has('reset')
    case 'response': {
      const s = o.status
      if (on.has('5xx') && s >= 500) return true
      if (on.has('gateway-error') && (s === 502 || s === 503 || s === 504)) return true
      if (on.has('retriable-4xx') && s === 409) return true
      if (on.has('retriable-status-codes') && r.codes.has(s)) return true
      if (o.grpcStatus !== undefined) {
        for (const [token, code] of Object.entries(GRPC_ON))
          if (on.has(token) && o.grpcStatus === code) return true
      }
      return false
    }
  }
}

/** Milliseconds to wait before retry number `n` (1-based). */
export function backoffMs(baseMs: number, n: number): number {
  const base = baseMs > 0 ? baseMs : 25
  const ceiling = Math.min(base * (2 ** n - 1), base * 10)
  return Math.floor(Math.random() * ceiling)
}

/** Envoy router headers `x-envoy-retry-on` / `x-envoy-max-retries` adjust the route's retry policy. */
export function retryOverride(
  base: CompiledRetry | undefined,
  h: Readonly<Record<string, string | string[] | undefined>>,
): CompiledRetry | undefined {
  const on = h['x-envoy-retry-on']
  const max = h['x-envoy-max-retries']
  if (on === undefined && max === undefined) return base
  const policy: RetryPolicy = base?.policy ?? {
    numRetries: 1,
    retryOn: [],
    retriableStatusCodes: [],
    retryOtherHosts: true,
    backoffBaseMs: 25,
  }
  const n = Number(max)
  const tokens =
    typeof on === 'string'
      ? on
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean)
      : []
  const next: RetryPolicy = {
    ...policy,
    retryOn: [...policy.retryOn, ...tokens],
    numRetries: Number.isInteger(n) && n >= 0 && n <= 10 ? n : policy.numRetries,
  }
  return next.numRetries > 0 ? compileRetry(next) : undefined
}
