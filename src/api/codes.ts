/** @module api/codes — Weir's own diagnostic codes (Istio's IST codes are used where they exist). Append-only. */

export const codes = {
  /** YAML or JSON that does not parse. */
  PARSE_ERROR: 'WEIR0001',
  /** A document that is not an object with apiVersion and kind. */
  NOT_A_RESOURCE: 'WEIR0002',
  /** A kind Weir does not know. */
  UNKNOWN_KIND: 'WEIR0003',
  /** A kind that is accepted for compatibility but does nothing. */
  IGNORED_KIND: 'WEIR0004',
  /** A path that cannot be read. */
  UNREADABLE: 'WEIR0005',
  /** Structural schema violation (OpenAPI / CEL of Istio's CRDs). */
  SCHEMA: 'WEIR0101',
  /** A semantic check Istio's validation makes. */
  INVALID: 'WEIR0102',
  /** A deprecated field: accepted, with the meaning it had. */
  DEPRECATED: 'WEIR0103',
} as const
