/** @module security/rotation — when to renew a certificate, and a rotator that renews before expiry. */
import type { IssuedCert } from './ca.ts'

/** Share of the lifetime after which a certificate is renewed (Istio's SECRET_GRACE_PERIOD_RATIO is 0.5; 0.8 here leaves margin). */
export const DEFAULT_ROTATION_FRACTION = 0.8

/** The instant (ms since epoch) at which a certificate valid from `notBefore` to `notAfter` is due for renewal. */
export function rotationDueAt(notBefore: Date, notAfter: Date, fraction = DEFAULT_ROTATION_FRACTION): number {
  const start = notBefore.getTime()
  const life = Math.max(0, notAfter.getTime() - start)
  return start + Math.floor(life * fraction)
}

/** Time source, replaceable in tests. */
export interface RotatorClock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const realClock: RotatorClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms)
    t.unref()
    return t
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
}

/** What a rotator needs. */
export interface CertRotatorOptions {
  /** Obtains a fresh certificate (from the CA, or the control plane). */
  issue: () => Promise<IssuedCert>
  /** Called with every new certificate (install it: `server.setSecureContext(...)`). */
  onCert: (cert: IssuedCert) => void
  /** Called when an issue attempt fails; the rotator retries with backoff. */
  onError?: (err: unknown) => void
  clock?: RotatorClock
  fraction?: number
  /** First retry delay after a failed issue (doubles up to 30 s, never past expiry). Default 1 s. */
  retryBaseMs?: number
}

/** A running rotator. */
export interface CertRotator {
  /** Issues the first certificate and schedules renewals; resolves with the first certificate. */
  start(): Promise<IssuedCert>
  /** The certificate in use, once started. */
  current(): IssuedCert | undefined
  /** Issues a new certificate now (and reschedules). */
  rotateNow(): Promise<IssuedCert>
  stop(): void
}

/** Creates a rotator that re-issues each certificate at `rotationDueAt` of its lifetime. */
export function createCertRotator(opts: CertRotatorOptions): CertRotator {
  const clock = opts.clock ?? realClock
  const base = opts.retryBaseMs ?? 1000
  let cert: IssuedCert | undefined
  let timer: unknown
  let stopped = false
  let failures = 0

  function schedule(ms: number): void {
    if (stopped) return
    if (timer !== undefined) clock.clearTimeout(timer)
    timer = clock.setTimeout(
      () => {
        timer = undefined
        void rotate().catch(() => {})
      },
      Math.max(0, ms),
    )
  }

  async function rotate(): Promise<IssuedCert> {
    try {
      const next = await opts.issue()
      failures = 0
      if (stopped) return next
      cert = next
      opts.onCert(next)
      schedule(rotationDueAt(next.notBefore, next.notAfter, opts.fraction) - clock.now())
      return next
    } catch (err) {
      opts.onError?.(err)
      failures++
      const backoff = Math.min(30_000, base * 2 ** Math.min(failures - 1, 15))
      const untilExpiry = cert ? cert.notAfter.getTime() - clock.now() : backoff
      schedule(Math.max(0, Math.min(backoff, untilExpiry)))
      throw err
    }
  }

  return {
    start: () => rotate(),
    current: () => cert,
    rotateNow: () => rotate(),
    stop: () => {
      stopped = true
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
    },
  }
}
