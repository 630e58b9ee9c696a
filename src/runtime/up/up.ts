/**
 * @module runtime/up/up — `weir up` as a function: the control plane (with its push server), the runtime with its
 * in-process proxies, the ingress gateway, and the user's manifests applied; `close()` stops all of it.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadPaths } from '../../api/load.ts'
import { startControlPlane } from '../../controlplane/server.ts'
import { loadOrCreateCa } from '../../security/ca.ts'
import { readTlsSecret } from '../../security/secret.ts'
import { adaptControlPlaneStore } from '../cp-store.ts'
import type { HostAlias } from '../net/plan.ts'
import { loadCatalog } from '../process/catalog.ts'
import { startRuntime } from '../runtime.ts'
import { ingressGatewayObjects } from './gateway.ts'
import { createProxyLauncher } from './launcher.ts'

/** The catalog of the tutorials' images shipped in `samples/`. */
export const SAMPLES_CATALOG = fileURLToPath(new URL('../../../samples/catalog.json', import.meta.url))

/** Options of `weir up`. */
export interface UpOptions {
  paths: readonly string[]
  stateDir: string
  /** Local port of the gateway's port-80 server (0: any free port). */
  gatewayPort: number
  hostAliases: readonly HostAlias[]
  /** Extra catalog files (after the samples' one; later files win). */
  catalogs: readonly string[]
  /** Control plane API port (0: any). */
  apiPort?: number
  log: (line: string) => void
  backoff?: { initialMs: number; maxMs: number }
}

/** A running `weir up`. */
export interface Up {
  gatewayUrl: string
  apiUrl: string
  tokenFile: string
  /** Gateway listeners on other ports: name → URL. */
  otherGatewayPorts: Map<string, string>
  close(): Promise<void>
}

/** Binds and releases 127.0.0.1:`port` (0: any free port); returns the port, or rejects when it is taken. */
async function reservePort(port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer()
    s.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `gateway port ${port} is in use on 127.0.0.1 (choose another with --gateway-port, 0 for any)`
            : `gateway port ${port}: ${err.message}`,
        ),
      ),
    )
    s.listen(port, '127.0.0.1', () => {
      const a = s.address()
      const port = typeof a === 'object' && a ? a.port : 0
      s.close(() => resolvePort(port))
    })
  })
}

/** Starts everything; resolves once the manifests are applied and the runtime reconciled them. */
export async function startUp(opts: UpOptions): Promise<Up> {
  const stateDir = resolve(opts.stateDir)
  mkdirSync(stateDir, { recursive: true, mode: 0o700 })
  const catalogFiles = [...(existsSync(SAMPLES_CATALOG) ? [SAMPLES_CATALOG] : []), ...opts.catalogs]
  const catalog = loadCatalog(catalogFiles)
  for (const e of catalog.errors) opts.log(`warning: ${e}`)
  const cp = await startControlPlane({
    stateDir,
    ...(opts.apiPort !== undefined ? { port: opts.apiPort } : {}),
  })
  const closers: (() => Promise<void> | void)[] = [() => cp.close()]
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) await c()
  }
  try {
    const store = adaptControlPlaneStore(cp.store, opts.log)
    const gatewayPort = await reservePort(opts.gatewayPort)
    const otherGatewayPorts = new Map<string, string>()
    const ca = await loadOrCreateCa(stateDir)
    const launcher = createProxyLauncher({
      pushUrl: cp.url,
      token: cp.token,
      stateDir,
      ca,
      credentials: (name, namespace) => {
        const secret = store.get('Secret', namespace, name)
        const cred = secret ? readTlsSecret(secret) : undefined
        if (!cred || 'error' in cred) return undefined
        const ca = cred.caPem ? { caCertificates: cred.caPem } : {}
        return { certificate: cred.certPem, privateKey: cred.keyPem, ...ca }
      },
      gatewayPort,
      log: opts.log,
      onGatewayListener: (name, a) => {
        if (a.host === '127.0.0.1' && a.port !== gatewayPort) {
          const url = `http://127.0.0.1:${a.port}`
          if (otherGatewayPorts.get(name) !== url) {
            otherGatewayPorts.set(name, url)
            opts.log(`weir: gateway listener ${name} is served at ${url}`)
          }
        }
      },
    })
    for (const obj of ingressGatewayObjects()) {
      if (!store.get(obj.kind, obj.metadata.namespace, obj.metadata.name)) await store.put(obj)
    }
    const svc = store.get('Service', 'istio-system', 'istio-ingressgateway')
    if (svc) await store.put({ ...svc, status: { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } } })
    const runtime = await startRuntime({
      store,
      stateDir,
      catalog,
      hostAliases: opts.hostAliases,
      proxies: launcher,
      log: opts.log,
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
    })
    closers.push(() => runtime.close())
    if (opts.paths.length > 0) {
      const loaded = await loadPaths(opts.paths)
      for (const d of loaded.diagnostics) {
        if (d.severity === 'Error')
          opts.log(`error: ${d.source?.file ?? ''}:${d.source?.line ?? 0}: ${d.message}`)
      }
      for (const r of loaded.resources) {
        const obj = { ...r.body, apiVersion: r.apiVersion, kind: r.kind, metadata: r.metadata } as never
        const res = cp.store.apply(obj)
        if (!res.ok) opts.log(`error: ${r.kind} ${r.metadata.name}: ${res.status.message}`)
      }
      await runtime.reconcile()
    }
    return {
      gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
      apiUrl: cp.url,
      tokenFile: join(stateDir, 'token'),
      otherGatewayPorts,
      close: closeAll,
    }
  } catch (err) {
    await closeAll()
    throw err
  }
}
