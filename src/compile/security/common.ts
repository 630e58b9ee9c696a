/** @module compile/security/common — small helpers shared by the security compilers (workloads, selectors, namespaces). */
import type { Resource } from '../../api/resource.ts'

/** Istio's default root namespace (mesh-wide policies live here). */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system'

/** The workload a policy is evaluated for. */
export interface WorkloadRef {
  namespace: string
  labels: Record<string, string>
}

/** Options every security compiler accepts. */
export interface SecurityCompileOptions {
  /** Mesh root namespace (default `istio-system`). */
  rootNamespace?: string
  /** Namespace of resources loaded without one (`kubectl apply --namespace`); default `default`. */
  defaultNamespace?: string
}

/** The namespace a resource lives in. */
export function namespaceOf(r: Resource, opts: SecurityCompileOptions = {}): string {
  return r.metadata.namespace ?? opts.defaultNamespace ?? 'default'
}

/** A plain object, or undefined. */
export function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
}

/** The strings of a list (non-strings dropped); undefined when the field is absent or not a list. */
export function strings(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined
  return v.filter((x): x is string => typeof x === 'string')
}

/** `selector.matchLabels` of a spec: undefined when there is no selector (namespace-wide). */
export function selectorOf(spec: Record<string, unknown>): Record<string, string> | undefined {
  const sel = obj(spec.selector)
  if (!sel) return undefined
  const ml = obj(sel.matchLabels) ?? {}
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(ml)) if (typeof v === 'string') out[k] = v
  return out
}

/** Whether every selector label is on the workload (an empty selector selects everything). */
export function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v)
}

/** Oldest first (creationTimestamp, then name): Istio's tie-break between policies at one level. */
export function byAge(a: Resource, b: Resource): number {
  const ta = a.metadata.creationTimestamp ?? ''
  const tb = b.metadata.creationTimestamp ?? ''
  if (ta !== tb) return ta < tb ? -1 : 1
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0
}
