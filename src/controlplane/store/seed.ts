/** @module controlplane/store/seed — what a fresh control plane holds: the system namespaces and Istio's mesh ConfigMap. */
import type { Store } from './store.ts'

/** Namespaces that exist from the start. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'istio-system'] as const

/**
 * The `mesh` key of ConfigMap `istio` in `istio-system` on a fresh control plane: Istio's defaults, with
 * access logs on as in Istio's demo profile (so `weir logs POD -c istio-proxy` shows them).
 */
export const DEFAULT_MESH_CONFIG = 'accessLogFile: /dev/stdout\noutboundTrafficPolicy:\n  mode: ALLOW_ANY\n'

/**
 * Makes sure the system namespaces exist (recreating any that are missing) and, on a store that has
 * never held it, creates ConfigMap `istio` in `istio-system` with Istio's default mesh config.
 */
export function seedStore(store: Store, opts: { fresh: boolean }): void {
  for (const name of SYSTEM_NAMESPACES) {
    if (!store.get({ group: '', kind: 'Namespace', name })) {
      store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })
    }
  }
  if (opts.fresh) {
    store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'istio', namespace: 'istio-system', labels: { app: 'istio', release: 'istio' } },
      data: { mesh: DEFAULT_MESH_CONFIG },
    })
  }
}
