/** @module cli/exit-codes — process exit codes (istioctl's where it has them, BSD sysexits otherwise). */
export const EXIT = {
  OK: 0,
  /** A command that failed (kubectl's code). */
  FAILED: 1,
  /** Bad usage (EX_USAGE). */
  USAGE: 64,
  /** Input that cannot be read or parsed (EX_DATAERR; istioctl analyze). */
  DATA: 65,
  /** `weir analyze` found an error (istioctl's code for CI). */
  ANALYZE_ERRORS: 79,
} as const
