/**
 * @module proxy/filters/fault — fault injection: delay (DI) and abort (FI, body `fault filter abort`).
 * Percentages are doubles in [0, 100]; delay and abort are independent draws; 0 never fires.
 */
import type { FaultPolicy } from '../../proxyconfig/types.ts'

/** True with probability `percentage`/100. */
export function draw(percentage: number): boolean {
  if (percentage <= 0) return false
  if (percentage >= 100) return true
  return Math.random() * 100 < percentage
}

/** What the fault filter decided for one request. */
export interface FaultDecision {
  delayMs: number
  /** HTTP status of the abort, or undefined. */
  abortStatus: number | undefined
  /** gRPC status of the abort (answered as HTTP 200 with `grpc-status`). */
  abortGrpc: string | undefined
}

/** Draws the fault decision of a request. */
export function decideFault(f: FaultPolicy | undefined): FaultDecision | undefined {
  if (!f) return undefined
  const delayMs = f.delay && draw(f.delay.percentage) ? f.delay.fixedDelayMs : 0
  let abortStatus: number | undefined
  let abortGrpc: string | undefined
  if (f.abort && draw(f.abort.percentage)) {
    if (f.abort.grpcStatus !== undefined) abortGrpc = f.abort.grpcStatus
    else abortStatus = f.abort.httpStatus ?? 503
  }
  if (delayMs === 0 && abortStatus === undefined && abortGrpc === undefined) return undefined
  return { delayMs, abortStatus, abortGrpc }
}

const GRPC_CODES: Record<string, number> = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
}

/** The numeric gRPC status of a name (`UNAVAILABLE` → 14) or a numeric string. */
export function grpcCode(status: string): number {
  const n = Number(status)
  if (Number.isInteger(n)) return n
  return GRPC_CODES[status.toUpperCase()] ?? 2
}
