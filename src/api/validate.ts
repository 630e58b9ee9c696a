/** @module api/validate — structural (CRD schema + CEL) and semantic validation of loaded resources. */
import type { Diagnostic } from './diagnostics.ts'
import type { Resource } from './resource.ts'

/**
 * Validates one resource as Istio (and the Kubernetes API server) would. Returns one diagnostic per
 * problem, each with file:line:column and field path. Never throws.
 */
export function validateResource(_resource: Resource): Diagnostic[] {
  // TODO(validate): stub until the validation module lands.
  return []
}
