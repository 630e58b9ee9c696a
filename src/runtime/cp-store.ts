/**
 * @module runtime/cp-store — the control plane's in-process store seen through the runtime's RuntimeStore:
 * pods and their status, Services' clusterIPs, the Deployments, Secrets and ConfigMaps the runtime reads.
 */
import type { Store as ControlPlaneStore } from '../controlplane/store/store.ts'
import type { ObjectRef, WriteResult as Written } from '../controlplane/store/types.ts'
import type { KubeObject } from './kube.ts'
import type { RuntimeStore, StoreEvent } from './store.ts'

type Ref = ObjectRef

const GROUPS: Record<string, string> = { Deployment: 'apps', ReplicaSet: 'apps' }
const CLUSTER_SCOPED = new Set(['Namespace'])

function refOf(kind: string, namespace: string | undefined, name: string): Ref {
  return {
    group: GROUPS[kind] ?? '',
    kind,
    ...(CLUSTER_SCOPED.has(kind) ? {} : { namespace: namespace ?? 'default' }),
    name,
  }
}

function withoutStatus(o: KubeObject): string {
  const { status: _status, metadata, ...rest } = o
  const { resourceVersion: _rv, generation: _g, managedFields: _m, ...meta } = metadata
  return JSON.stringify({ ...rest, metadata: meta })
}

/** Adapts the control plane's store; `log` gets refused writes. */
export function adaptControlPlaneStore(store: ControlPlaneStore, log: (line: string) => void): RuntimeStore {
  const report = (what: string, r: Written): void => {
    if (!r.ok) log(`weir: ${what}: ${r.status.message}`)
  }
  return {
    list(kind, namespace) {
      const r = store.list({ kind, ...(namespace !== undefined ? { namespace } : {}) })
      return r.ok ? (r.items as KubeObject[]) : []
    },
    get(kind, namespace, name) {
      return store.get(refOf(kind, namespace, name)) as KubeObject | undefined
    },
    put(obj) {
      const ref = refOf(obj.kind, obj.metadata.namespace, obj.metadata.name)
      const current = store.get(ref) as KubeObject | undefined
      const what = `${obj.kind.toLowerCase()} ${obj.metadata.namespace ?? ''}/${obj.metadata.name}`
      if (!current) {
        report(`create ${what}`, store.create(obj as never))
        return
      }
      if (obj.status !== undefined && withoutStatus(current) === withoutStatus(obj)) {
        report(`status of ${what}`, store.updateStatus(ref, obj.status))
        return
      }
      const next = {
        ...obj,
        metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion },
      }
      report(`update ${what}`, store.replace(next as never))
    },
    remove(kind, namespace, name) {
      const r = store.delete(refOf(kind, namespace, name))
      if (!r.ok && !/not found/i.test(r.status.message))
        log(`weir: delete ${kind} ${namespace}/${name}: ${r.status.message}`)
    },
    watch(onEvent) {
      const w = store.watch(undefined, (e) => onEvent(e as StoreEvent))
      if (!w.ok) {
        log(`weir: watch: ${w.status.message}`)
        return () => {}
      }
      return () => w.subscription.close()
    },
  }
}
