/** @module controlplane/store/types — the shapes the store keeps, returns and emits. */
import type { ObjectMeta } from '../../api/resource.ts'

/** A stored Kubernetes-style object: apiVersion as written, kind, metadata, and everything else. */
export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  [field: string]: unknown
}

/** The identity of an object, independent of the API version it was written with. */
export interface ObjectRef {
  group: string
  kind: string
  /** Absent for cluster-scoped kinds (Namespace). */
  namespace?: string
  name: string
}

/** One change, as a Kubernetes watch stream delivers it. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  object: KubeObject
}

/** One reason an object was refused (a Kubernetes `StatusCause`), with where it was written when known. */
export interface StatusCause {
  reason: string
  message: string
  /** The field path (`spec.http[0].route`). */
  field?: string
  /** `file:line:column` when the request carried its source. */
  source?: string
}

/** Kubernetes' `Status` object for a failed request. */
export interface ApiStatus {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: Record<string, never>
  status: 'Failure'
  message: string
  reason: string
  code: number
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[] }
}

/** What a write returns: the stored object, or the Status that refused it. */
export type WriteResult =
  | {
      ok: true
      object: KubeObject
      /** Warning diagnostics of admission (deprecated fields, …), sent as HTTP `Warning` headers. */
      warnings?: string[]
    }
  | { ok: false; status: ApiStatus }

/** The outcome of server-side apply, as kubectl prints it. */
export type ApplyOutcome = 'created' | 'configured' | 'unchanged'

/** Options shared by writes. */
export interface WriteOptions {
  /** Validate and compute the result, store nothing. */
  dryRun?: boolean
  /** The YAML text the client sent, for `file:line` in diagnostics. */
  source?: { text: string; file: string }
}

/** Filters for `list`. */
export interface ListOptions {
  group?: string
  kind?: string
  /** Only objects in this namespace (all namespaces when absent). */
  namespace?: string
  /** Kubernetes label selector: `app=x,version in (v1,v2),!canary`. */
  labelSelector?: string
  /** `metadata.name=x,metadata.namespace!=y`. */
  fieldSelector?: string
}

/** A closable subscription. */
export interface Subscription {
  close(): void
}
