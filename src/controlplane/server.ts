/** @module controlplane/server — starts the control plane: the store, its REST API on loopback, the token and address files. */
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createObserveRoutes, ZIPKIN_SPANS_PATH } from '../observe/routes.ts'
import {
  createTraceStore,
  type TraceStore,
  type TraceStoreOptions,
  traceExportFromEnv,
} from '../observe/trace-store.ts'
import { createUiRoutes } from '../observe/ui.ts'
import { createPushRoutes } from '../xds/standalone.ts'
import { createApiHandler } from './api/handler.ts'
import { createMeshController, type MeshController } from './mesh.ts'
import type { Validator } from './store/admission.ts'
import { seedStore } from './store/seed.ts'
import { createStore, type Store } from './store/store.ts'

/** How to start the control plane. */
export interface ControlPlaneOptions {
  /** Where the store's log, the token and server.json live. */
  stateDir: string
  /** Listen address (default 127.0.0.1). */
  host?: string
  /** Listen port (default 0: any free port). */
  port?: number
  /** Where recovery warnings go (default: stderr). */
  onWarning?: (message: string) => void
  /** Admission's validator (default: `validateResource`); for tests and for extra checks. */
  validate?: Validator
  /**
   * The span store's bounds and where it forwards spans (Zipkin / OTLP collectors). Default: from
   * `WEIR_TRACES_ZIPKIN_URL` / `WEIR_TRACES_OTLP_URL`.
   */
  traces?: TraceStoreOptions
}

/** A running control plane. */
export interface ControlPlane {
  /** `http://127.0.0.1:PORT`. */
  url: string
  /** The bearer token every request needs. */
  token: string
  /** The in-process store, for the push server and the runtime. */
  store: Store
  /** The push side: snapshot, per-proxy configs, the push server (proxy status, convergence). */
  mesh: MeshController
  /** Spans the proxies exported (`POST /api/v2/spans`), grouped into traces. */
  traces: TraceStore
  /** Stops the API (ending watches) and closes the store. */
  close(): Promise<void>
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** True when something answers HTTP at `url` (a pid in a stale server.json may have been reused). */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })
    return true
  } catch {
    return false
  }
}

function portOf(url: string): number {
  try {
    return Number(new URL(url).port) || 0
  } catch {
    return 0
  }
}

/** Reads `<stateDir>/server.json`, or undefined. */
export function readServerFile(stateDir: string): { url: string; pid: number } | undefined {
  try {
    const v = JSON.parse(readFileSync(join(stateDir, 'server.json'), 'utf8')) as {
      url?: unknown
      pid?: unknown
    }
    return typeof v.url === 'string' && typeof v.pid === 'number' ? { url: v.url, pid: v.pid } : undefined
  } catch {
    return undefined
  }
}

function loadOrMakeToken(stateDir: string): string {
  const file = join(stateDir, 'token')
  if (existsSync(file)) {
    const t = readFileSync(file, 'utf8').trim()
    if (/^[A-Za-z0-9_-]{32,}$/.test(t)) {
      chmodSync(file, 0o600)
      return t
    }
  }
  const token = randomBytes(32).toString('base64url')
  writeFileSync(file, `${token}\n`, { mode: 0o600 })
  chmodSync(file, 0o600)
  return token
}

/**
 * Starts the control plane on loopback. Refuses a state directory that another live control plane
 * is using. Seeds the system namespaces and ConfigMap `istio` on a fresh store.
 */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { stateDir } = options
  mkdirSync(stateDir, { recursive: true, mode: 0o700 })
  const running = readServerFile(stateDir)
  if (running && running.pid !== process.pid && pidAlive(running.pid) && (await answers(running.url))) {
    throw new Error(`a control plane (pid ${running.pid}) is already serving ${stateDir} at ${running.url}`)
  }
  const store = createStore({
    stateDir: join(stateDir, 'store'),
    onWarning: options.onWarning ?? ((m) => process.stderr.write(`warning: ${m}\n`)),
    ...(options.validate ? { validate: options.validate } : {}),
  })
  seedStore(store, { fresh: store.resourceVersion() === '0' })
  const token = loadOrMakeToken(stateDir)
  let selfUrl: string | undefined
  const mesh = createMeshController({
    store,
    token,
    defaultZipkinUrl: () => (selfUrl ? `${selfUrl}${ZIPKIN_SPANS_PATH}` : undefined),
  })
  const routes = createPushRoutes(mesh.push, token)
  const traces = createTraceStore(options.traces ?? traceExportFromEnv())
  const observe = createObserveRoutes({
    push: mesh.push,
    token,
    selfUrl: () => selfUrl,
    traces,
    pods: () =>
      mesh
        .snapshot()
        .workloads.filter((w) => w.kind === 'Pod')
        .map((w) => ({ pod: w.name, namespace: w.namespace, workload: w.workload })),
  })
  const ui = createUiRoutes({ push: mesh.push, store, token })
  const api = createApiHandler(store, token)
  // requestTimeout 0: a push stream is one request that never finishes (Node would cut it at 5 min).
  const server = createServer({ requestTimeout: 0 }, (req, res) => {
    if (!routes(req, res) && !observe(req, res) && !ui(req, res)) api(req, res)
  })
  server.keepAliveTimeout = 5000
  const host = options.host ?? '127.0.0.1'
  const listen = (port: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => reject(err)
      server.once('error', fail)
      server.listen(port, host, () => {
        server.off('error', fail)
        resolve()
      })
    })
  // Without a fixed port, a restart takes the port it had before when it is free, so clients that
  // remember the address (sidecars, `weir get -w`) find the control plane again.
  const previous = options.port === undefined && running ? portOf(running.url) : 0
  try {
    await listen(options.port ?? previous)
  } catch (err) {
    if (options.port !== undefined || previous === 0) {
      mesh.close()
      store.close()
      throw err
    }
    await listen(0)
  }
  const addr = server.address() as AddressInfo
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  const url = `http://${shown}:${addr.port}`
  selfUrl = url
  writeFileSync(join(stateDir, 'server.json'), `${JSON.stringify({ url, pid: process.pid })}\n`)
  let closed: Promise<void> | undefined
  return {
    url,
    token,
    store,
    mesh,
    traces,
    close() {
      closed ??= new Promise<void>((resolve) => {
        mesh.close()
        server.close(() => resolve())
        server.closeAllConnections()
      }).then(() => {
        store.close()
        const cur = readServerFile(stateDir)
        if (cur && cur.url === url && cur.pid === process.pid)
          rmSync(join(stateDir, 'server.json'), { force: true })
      })
      return closed
    },
  }
}
