/**
 * @module runtime/store — the view of the resource store the runtime needs: list, put, remove and a change feed.
 * `createMemoryStore()` backs tests; `weir up` adapts the control plane's store to the same interface.
 */
import { randomUUID } from 'node:crypto'
import type { KubeObject } from './kube.ts'

/** A change to one object. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  object: KubeObject
}

/** What the runtime reads and writes. Writes may be synchronous or not; the runtime never awaits reads. */
export interface RuntimeStore {
  /** Objects of a kind, in a namespace or all namespaces. */
  list(kind: string, namespace?: string): KubeObject[]
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined
  /** Creates or replaces an object (by kind, namespace, name). */
  put(obj: KubeObject): void | Promise<void>
  remove(kind: string, namespace: string | undefined, name: string): void | Promise<void>
  /** Calls `onEvent` for every later change; returns the unsubscribe function. */
  watch(onEvent: (ev: StoreEvent) => void): () => void
}

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
])

function keyOf(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${CLUSTER_SCOPED.has(kind) ? '' : (namespace ?? 'default')}/${name}`
}

/** An in-memory store (tests, and a fallback when no control plane runs). */
export function createMemoryStore(initial: KubeObject[] = []): RuntimeStore {
  const objects = new Map<string, KubeObject>()
  const watchers = new Set<(ev: StoreEvent) => void>()
  let rv = 0
  const emit = (ev: StoreEvent): void => {
    for (const w of [...watchers]) w(ev)
  }
  const put = (obj: KubeObject): void => {
    const key = keyOf(obj.kind, obj.metadata.namespace, obj.metadata.name)
    const had = objects.has(key)
    const stored = structuredClone(obj)
    stored.metadata.resourceVersion = String(++rv)
    stored.metadata.uid ??= objects.get(key)?.metadata.uid ?? randomUUID()
    if (!CLUSTER_SCOPED.has(obj.kind)) stored.metadata.namespace = obj.metadata.namespace ?? 'default'
    objects.set(key, stored)
    emit({ type: had ? 'MODIFIED' : 'ADDED', object: structuredClone(stored) })
  }
  for (const o of initial) put(o)
  return {
    list(kind, namespace) {
      const out: KubeObject[] = []
      for (const o of objects.values()) {
        if (o.kind !== kind) continue
        if (namespace !== undefined && (o.metadata.namespace ?? 'default') !== namespace) continue
        out.push(structuredClone(o))
      }
      return out
    },
    get(kind, namespace, name) {
      const o = objects.get(keyOf(kind, namespace, name))
      return o ? structuredClone(o) : undefined
    },
    put,
    remove(kind, namespace, name) {
      const key = keyOf(kind, namespace, name)
      const o = objects.get(key)
      if (!o) return
      objects.delete(key)
      emit({ type: 'DELETED', object: o })
    },
    watch(onEvent) {
      watchers.add(onEvent)
      return () => watchers.delete(onEvent)
    },
  }
}
