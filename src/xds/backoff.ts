/** @module xds/backoff — capped exponential backoff with jitter, for reconnects (no thundering herd). */

/** Backoff settings. */
export interface BackoffConfig {
  /** First delay (default 100 ms). */
  initialMs: number
  /** Cap (default 10 s). */
  maxMs: number
}

export const DEFAULT_BACKOFF: BackoffConfig = { initialMs: 100, maxMs: 10_000 }

/**
 * Delay before reconnect attempt `attempt` (0-based): "equal jitter", a uniformly random value in
 * [d/2, d] where d = min(max, initial·2^attempt), so proxies that lost the same control plane spread out.
 */
export function backoffDelay(
  attempt: number,
  config: BackoffConfig,
  random: () => number = Math.random,
): number {
  const d = Math.min(config.maxMs, config.initialMs * 2 ** Math.min(attempt, 30))
  return Math.round(d / 2 + random() * (d / 2))
}
