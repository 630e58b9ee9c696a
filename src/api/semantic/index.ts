/** @module api/semantic — Istio's own (webhook) validation for the kinds Weir acts on. */
import type { Resource } from '../resource.ts'
import type { Finding } from '../validate.ts'

/** Every semantic problem of one resource (errors WEIR0102, deprecation warnings WEIR0103). */
export function semanticFindings(_r: Resource): Finding[] {
  return []
}
