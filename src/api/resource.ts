/** @module api/resource — a Kubernetes-shaped object as the user wrote it, with where they wrote it. */
import type { SourcePos } from './diagnostics.ts'

/** Kubernetes object metadata (the fields Weir reads). */
export interface ObjectMeta {
  name: string
  namespace?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  creationTimestamp?: string
  resourceVersion?: string
  uid?: string
  generation?: number
  [key: string]: unknown
}

/** Where a resource came from, and how to find the line of any field inside it. */
export interface Origin extends SourcePos {
  /** Index of the YAML document in its file (0-based). */
  doc: number
  /** Position of a field path inside the resource; the nearest parent's position when the field is absent. */
  at?: (path: readonly (string | number)[]) => SourcePos
}

/** A loaded object: apiVersion, kind and metadata checked for shape, everything else as written. */
export interface Resource {
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  /** The whole object as JSON (spec, data, …), metadata included. */
  body: Record<string, unknown>
  origin?: Origin
}

/** `Kind namespace/name` (or `Kind name`), as istioctl prints resources. */
export function resourceRef(r: Pick<Resource, 'kind' | 'metadata'>): string {
  const ns = r.metadata.namespace
  return ns ? `${r.kind} ${ns}/${r.metadata.name}` : `${r.kind} ${r.metadata.name}`
}

/** The position of a field of a resource, or its start. */
export function posOf(r: Resource, path: readonly (string | number)[]): SourcePos | undefined {
  if (!r.origin) return undefined
  return r.origin.at ? r.origin.at(path) : r.origin
}

/** The spec of a resource as an object ({} when absent). */
export function specOf(r: Resource): Record<string, unknown> {
  const s = r.body.spec
  return s !== null && typeof s === 'object' && !Array.isArray(s) ? (s as Record<string, unknown>) : {}
}
