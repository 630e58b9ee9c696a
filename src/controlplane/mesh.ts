/**
 * @module controlplane/mesh — joins the store to the push server: every change to the store makes a
 * new immutable snapshot (lazily, once per push), and each connected proxy gets `compileProxy(snapshot,
 * its node)`. The proxy's identity comes from the store (its Pod), never from what the proxy says.
 */
import type { Resource } from '../api/resource.ts'
import { compileProxy } from '../compile/compile-proxy.ts'
import { proxyNodeFor } from '../compile/node.ts'
import { buildSnapshot } from '../model/snapshot.ts'
import type { MeshSnapshot } from '../model/types.ts'
import type { ProxyConfig } from '../proxyconfig/types.ts'
import { withVersion } from '../proxyconfig/version.ts'
import type { ProxyNode as StreamNode } from '../xds/protocol.ts'
import { createPushServer, type PushLog, type PushServer } from '../xds/server.ts'
import type { Store } from './store/store.ts'
import type { KubeObject } from './store/types.ts'

/** The mesh side of a control plane. */
export interface MeshController {
  push: PushServer
  /** The snapshot of the store as it is now (built once per change). */
  snapshot(): MeshSnapshot
  /** The config a proxy id (`pod.namespace`) gets now, or undefined for an unknown proxy. */
  configFor(proxyId: string): ProxyConfig | undefined
  close(): void
}

/** Kinds the compiler does not read: changes to them never trigger a push. */
const IRRELEVANT = new Set(['Secret', 'ServiceAccount', 'PersistentVolumeClaim', 'Deployment'])

function toResource(o: KubeObject): Resource {
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata, body: o as Record<string, unknown> }
}

/** Watches `store` and serves configs to proxies through a push server. */
export function createMeshController(opts: {
  store: Store
  token: string
  debounceMs?: number
  log?: PushLog
  /** Where proxies export spans when the mesh config names no Zipkin address (the control plane's own intake). */
  defaultZipkinUrl?: () => string | undefined
}): MeshController {
  const { store } = opts
  let current: MeshSnapshot | undefined

  const snapshot = (): MeshSnapshot => {
    if (current) return current
    const listed = store.list()
    current = buildSnapshot(listed.ok ? listed.items.map(toResource) : [], { live: true })
    return current
  }

  const configFor = (proxyId: string): ProxyConfig | undefined => {
    const snap = snapshot()
    const node = proxyNodeFor(snap, proxyId)
    if (!node) return undefined
    const config = compileProxy(snap, node).config
    const zipkinUrl = config.mesh.tracing.zipkinUrl ? undefined : opts.defaultZipkinUrl?.()
    if (!zipkinUrl) return config
    const { version: _old, ...rest } = config
    return withVersion({ ...rest, mesh: { ...rest.mesh, tracing: { ...rest.mesh.tracing, zipkinUrl } } })
  }

  const push = createPushServer({
    token: opts.token,
    ...(opts.debounceMs !== undefined ? { debounceMs: opts.debounceMs } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    configFor: (node: StreamNode) => {
      const config = configFor(node.id)
      // Not an error for long: the runtime may start a sidecar a moment before its Pod is stored.
      if (!config) throw new Error(`no pod ${node.id} in the store yet`)
      return config
    },
  })

  const watched = store.watch(store.resourceVersion(), (event) => {
    if (IRRELEVANT.has(event.object.kind)) return
    current = undefined
    push.configChanged()
  })

  return {
    push,
    snapshot,
    configFor,
    close() {
      if (watched.ok) watched.subscription.close()
      push.close()
    },
  }
}
