/** The runtime over the control plane's real store: pods created, their status written, VIPs kept on re-apply. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createStore } from '../../src/controlplane/store/store.ts'
import type { KubeObject as StoredObject } from '../../src/controlplane/store/types.ts'
import { adaptControlPlaneStore } from '../../src/runtime/cp-store.ts'
import type { Pod } from '../../src/runtime/kube.ts'
import { loadCatalog } from '../../src/runtime/process/catalog.ts'
import { startRuntime } from '../../src/runtime/runtime.ts'
import { echoDeployment, FIXTURE_CATALOG, getText, service, tempState, waitFor } from './helpers.ts'

test('pods and Service VIPs through the control plane store (status subresource, apply keeps the VIP)', async () => {
  const cp = createStore()
  const logs: string[] = []
  const store = adaptControlPlaneStore(cp, (l) => logs.push(l))
  cp.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } })
  const rt = await startRuntime({
    store,
    stateDir: await tempState(),
    catalog: loadCatalog([FIXTURE_CATALOG]),
    log: (l) => logs.push(l),
  })
  try {
    cp.apply(service('echo', 'demo', 80, 8080) as StoredObject)
    cp.apply(echoDeployment('echo', 'demo', 1) as StoredObject)
    const pod = await waitFor('a ready pod in the store', () => {
      const r = cp.list({ kind: 'Pod', namespace: 'demo' })
      const p = r.ok ? (r.items[0] as unknown as Pod | undefined) : undefined
      return p?.status?.conditions.some((c) => c.type === 'Ready' && c.status === 'True') && p
    })
    const vip = (): string | undefined => {
      const svc = cp.get({ group: '', kind: 'Service', namespace: 'demo', name: 'echo' })
      return (svc?.spec as { clusterIP?: string } | undefined)?.clusterIP
    }
    const first = await waitFor('a VIP', vip)
    assert.match(first, /^127\.96\./)
    // The VIP is in the store as soon as it is allocated; its forwarder may bind a moment later.
    await waitFor(
      'an answer through the VIP',
      async () => (await getText(`http://${first}:80/`)) === `${pod.metadata.name} hello`,
    )
    // kubectl apply of the same Service (no clusterIP in it) keeps the allocated VIP.
    cp.apply(service('echo', 'demo', 80, 8080) as StoredObject)
    await rt.reconcile()
    assert.equal(vip(), first)
    assert.deepEqual(
      logs.filter((l) => !l.startsWith('warning')),
      [],
    )
  } finally {
    await rt.close()
    cp.close()
  }
})
