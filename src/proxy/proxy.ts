/**
 * @module proxy/proxy — the data plane entry point: `startProxy(options)` runs the listeners of a
 * ProxyConfig, swaps configs atomically (`applyConfig`, refusing bad ones), drains and closes.
 */
import type { IncomingMessage } from 'node:http'
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import type { Listener, ProxyConfig, TcpListener } from '../proxyconfig/types.ts'
import { createAdminServer } from './admin.ts'
import { createClusterRegistry } from './cluster/cluster.ts'
import type { Exchange } from './exchange.ts'
import { type ForwardDeps, handleHttp } from './forward.ts'
import type { CredentialResolver } from './listener/credentials.ts'
import { createHttpFront } from './listener/http.ts'
import { createMeshAcceptor, isMeshTls } from './listener/mtls.ts'
import { handleTcp, logRefused, type TcpDeps } from './listener/tcp.ts'
import { peerOf } from './observe/labels.ts'
import { createMetrics, type Metrics } from './observe/metrics.ts'
import { type LogSink, observeExchange } from './observe/observer.ts'
import { createTracer, type Tracer } from './observe/trace.ts'
import { buildRuntime, type ProxyRuntime } from './runtime.ts'
import { createCertStore, type WorkloadCerts } from './security.ts'
import { createH2Sessions } from './upstream/h2.ts'
import { createPoolSet } from './upstream/pools.ts'
import { upstreamTls } from './upstream/tls.ts'
import { handleUpgrade } from './upstream/upgrade.ts'
import { validateConfig } from './validate.ts'

/** Where a listener is bound. */
export interface BoundAddress {
  host: string
  port: number
}

/** Options of `startProxy`. */
export interface ProxyOptions {
  config: ProxyConfig
  /** Where to bind a listener; undefined ⇒ do not bind it. Default: its address and port. */
  bind?: (listener: Listener) => BoundAddress | undefined
  /** The caller's original destination of a connection accepted at local address/port (PassthroughCluster). */
  originalDestination?: (localAddress: string, localPort: number) => BoundAddress | undefined
  /** Admin port on 127.0.0.1 (default 0: any free port). */
  adminPort?: number
  adminHost?: string
  /** Access-log sink (default: stdout). */
  log?: LogSink
  /** Resolves gateway `credentialName`s (Kubernetes Secrets) to PEM material. */
  credentials?: CredentialResolver
  /** Workload certificates for Istio mutual TLS (listeners and clusters in ISTIO_MUTUAL / AUTO mode). */
  workloadCerts?: WorkloadCerts
  /** Grace period of `drain()` before remaining connections are cut (default 5 s). */
  drainTimeoutMs?: number
}

/** The result of `applyConfig`. */
export type ApplyResult = { ok: true } | { ok: false; error: string }

/** A running proxy. */
export interface ProxyHandle {
  /**
   * Validates and applies a config, synchronously: routes, clusters and filters switch at once (a
   * refused config leaves the last good one serving; in-flight requests keep the config they started
   * with). Listener changes (bind/unbind) follow asynchronously: await `listenersSettled()`.
   */
  applyConfig(config: ProxyConfig): ApplyResult
  /** Resolves when listener changes of the pushes so far are done. */
  listenersSettled(): Promise<void>
  /** Listeners that could not be bound, by name, with the reason. */
  listenerErrors(): Record<string, string>
  /** Replaces the workload certificates (new connections use them). */
  setWorkloadCerts(certs: WorkloadCerts | undefined): void
  /** The config being served. */
  config(): ProxyConfig
  /** Where each listener (by name) is bound. */
  addresses(): Record<string, BoundAddress>
  /** The admin server's address. */
  adminAddress(): BoundAddress
  metrics: Metrics
  tracer: Tracer
  /** Stops accepting, lets in-flight requests finish (bounded), then closes. */
  drain(): Promise<void>
  close(): Promise<void>
}

interface RunningListener {
  listener: Listener
  server: NetServer
  address: BoundAddress
  close(graceful: boolean): Promise<void>
}

/** Starts a proxy serving `opts.config`. Rejects when the config is refused or a listener cannot bind. */
export async function startProxy(opts: ProxyOptions): Promise<ProxyHandle> {
  const problem = validateConfig(opts.config)
  if (problem) throw new Error(`config refused: ${problem}`)
  const registry = createClusterRegistry()
  const pools = createPoolSet()
  const h2 = createH2Sessions()
  const certs = createCertStore(opts.workloadCerts)
  const metrics = createMetrics()
  const tracer = createTracer()
  const log: LogSink = opts.log ?? ((line) => process.stdout.write(line))
  const bind = opts.bind ?? ((l: Listener) => ({ host: l.address, port: l.port }))
  const originalDestination = opts.originalDestination ?? (() => undefined)
  let runtime: ProxyRuntime = buildRuntime(opts.config, registry)
  let peer = peerHeader(opts.config)
  let draining = false
  let inFlight = 0
  const idleWaiters: (() => void)[] = []
  const running = new Map<string, RunningListener>()

  const forwardDeps: ForwardDeps = {
    runtime: () => runtime,
    pools,
    h2,
    certs,
    registry,
    originalDestination,
    get peerMetadata() {
      return peer
    },
    trace: (ex, up) => tracer.inject(ex, up, runtime.config.mesh.tracing.samplingPercent),
    done: (ex: Exchange) => {
      inFlight--
      const sent = Math.max(0, socketWritten(ex.req) - ex.socketWrittenAtStart) || responseLength(ex)
      observeExchange(ex, runtime.config, metrics, tracer, log, { received: requestBytes(ex), sent })
      if (inFlight === 0) for (const w of idleWaiters.splice(0)) w()
    },
  }
  const tcpDeps: TcpDeps = { runtime: () => runtime, registry, metrics, originalDestination, log, certs }

  const startListener = async (l: Listener): Promise<void> => {
    const addr = bind(l)
    if (!addr) return
    const entry: RunningListener = {
      listener: l,
      server: undefined as never,
      address: addr,
      close: async () => {},
    }
    if (l.protocol === 'http') {
      const front = createHttpFront(
        l.tls,
        certs,
        {
          request(req, res) {
            const current = entry.listener
            if (current.protocol !== 'http') return res.destroy()
            inFlight++
            if (draining) res.shouldKeepAlive = false
            const written = socketWritten(req)
            handleHttp(forwardDeps, current, req, res).socketWrittenAtStart = written
          },
          upgrade(req, socket, head) {
            const current = entry.listener
            if (current.protocol !== 'http' || draining) return socket.destroy()
            handleUpgrade(runtime, current, req, socket, head)
          },
          refused: (s, details) => logRefused(tcpDeps, s, '-', details),
        },
        { namespace: runtime.config.node.namespace, resolve: opts.credentials },
      )
      entry.server = front.server
      entry.close = (graceful) => front.close(graceful)
    } else {
      const tcpListener = () => entry.listener as TcpListener
      const accept = isMeshTls(l.tls)
        ? createMeshAcceptor(l.tls, certs, {
            tls: (t) => handleTcp(tcpDeps, tcpListener(), t),
            plain: (s, first) => {
              s.unshift(first)
              handleTcp(tcpDeps, tcpListener(), s)
            },
            refused: (s, details) => logRefused(tcpDeps, s, '-', details),
          })
        : undefined
      const server = createNetServer({ allowHalfOpen: true }, (sock) => {
        const current = entry.listener
        if (current.protocol !== 'tcp') return sock.destroy()
        sock.on('error', () => sock.destroy())
        if (accept) accept(sock)
        else handleTcp(tcpDeps, current, sock)
      })
      const sockets = new Set<Socket>()
      server.on('connection', (s: Socket) => {
        sockets.add(s)
        s.once('close', () => sockets.delete(s))
      })
      entry.server = server
      entry.close = (graceful) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve())
          if (!graceful) for (const s of sockets) s.destroy()
        })
    }
    await new Promise<void>((resolve, reject) => {
      entry.server.once('error', reject)
      entry.server.listen(addr.port, addr.host, () => {
        entry.server.off('error', reject)
        resolve()
      })
    })
    const a = entry.server.address()
    if (a && typeof a === 'object') entry.address = { host: a.address, port: a.port }
    running.set(l.name, entry)
  }

  const stopListener = async (name: string, graceful: boolean) => {
    const entry = running.get(name)
    if (!entry) return
    running.delete(name)
    await entry.close(graceful)
  }

  const syncListeners = async (config: ProxyConfig): Promise<void> => {
    const wanted = new Map(config.listeners.map((l) => [l.name, l]))
    for (const name of [...running.keys()]) {
      const cur = running.get(name)!
      const next = wanted.get(name)
      const addr = next ? bind(next) : undefined
      if (
        !next ||
        !addr ||
        next.protocol !== cur.listener.protocol ||
        // A listener's acceptor is built for its TLS mode (STRICT refuses plaintext): a change of
        // PeerAuthentication must rebuild it, or a pod started PERMISSIVE would stay PERMISSIVE.
        JSON.stringify(next.tls) !== JSON.stringify(cur.listener.tls) ||
        (addr.port !== 0 && addr.port !== cur.address.port) ||
        (addr.host !== cur.address.host && addr.host !== '0.0.0.0')
      ) {
        // The listening socket closes at once (the port is free for the new listener); open
        // connections drain in the background.
        void stopListener(name, true)
      } else cur.listener = next
    }
    for (const l of config.listeners) {
      if (running.has(l.name)) continue
      try {
        await startListener(l)
        listenerErrors.delete(l.name)
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err)
        listenerErrors.set(l.name, message)
        process.stderr.write(`weir proxy: listener ${l.name}: ${message}\n`)
      }
    }
    for (const name of [...listenerErrors.keys()]) if (!wanted.has(name)) listenerErrors.delete(name)
  }
  let listenerQueue: Promise<void> = Promise.resolve()
  const listenerErrors = new Map<string, string>()

  const retainPools = () => {
    const keys = new Set<string>()
    for (const cs of runtime.clusters.values())
      for (const e of cs.endpoints)
        keys.add(
          pools.keyOf(
            cs.config,
            e.endpoint.address,
            e.endpoint.port,
            upstreamTls(cs.config, e.endpoint, certs),
          ),
        )
    pools.retainOnly(keys)
  }

  try {
    for (const l of opts.config.listeners) await startListener(l)
  } catch (err) {
    for (const name of [...running.keys()]) await stopListener(name, false)
    throw err
  }

  const logging = { level: 'info' }
  const admin = createAdminServer({
    runtime: () => runtime,
    metrics,
    tracer,
    ready: () => !draining,
    logging,
  })
  await new Promise<void>((resolve, reject) => {
    admin.once('error', reject)
    admin.listen(opts.adminPort ?? 0, opts.adminHost ?? '127.0.0.1', () => resolve())
  })
  const adminAddr = admin.address()
  const adminAddress: BoundAddress =
    adminAddr && typeof adminAddr === 'object'
      ? { host: adminAddr.address, port: adminAddr.port }
      : { host: '', port: 0 }

  let closed = false
  const handle: ProxyHandle = {
    metrics,
    tracer,
    applyConfig(config) {
      const problem = validateConfig(config)
      if (problem) return { ok: false, error: problem }
      let next: ProxyRuntime
      try {
        next = buildRuntime(config, registry)
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) }
      }
      runtime = next
      peer = peerHeader(config)
      retainPools()
      listenerQueue = listenerQueue.then(() => syncListeners(config))
      return { ok: true }
    },
    listenersSettled: () => listenerQueue,
    listenerErrors: () => Object.fromEntries(listenerErrors),
    config: () => runtime.config,
    setWorkloadCerts: (c) => certs.set(c),
    addresses() {
      const out: Record<string, BoundAddress> = {}
      for (const [name, e] of running) out[name] = { ...e.address }
      return out
    },
    adminAddress: () => ({ ...adminAddress }),
    async drain() {
      if (closed) return
      draining = true
      const closing = [...running.keys()].map((n) => stopListener(n, true))
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((r) => idleWaiters.push(r)),
          new Promise<void>((r) => setTimeout(r, opts.drainTimeoutMs ?? 5000).unref()),
        ])
      }
      await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, 100).unref())])
      await handle.close()
    },
    async close() {
      if (closed) return
      closed = true
      draining = true
      await Promise.all([...running.keys()].map((n) => stopListener(n, false)))
      await new Promise<void>((r) => {
        admin.close(() => r())
        admin.closeAllConnections()
      })
      tracer.close()
      h2.close()
      await pools.close()
    },
  }
  return handle
}

function peerHeader(config: ProxyConfig): { id: string; encoded: string } {
  return {
    id: `${config.node.role}~${config.node.id}`,
    encoded: Buffer.from(JSON.stringify(peerOf(config.node))).toString('base64'),
  }
}

/** Bytes written so far on the request's connection (0 when unavailable, e.g. HTTP/2). */
function socketWritten(req: IncomingMessage): number {
  try {
    return req.httpVersionMajor === 1 ? (req.socket?.bytesWritten ?? 0) : 0
  } catch {
    return 0
  }
}

/** The declared response length (HTTP/2, where connection byte counts are shared by streams). */
function responseLength(ex: Exchange): number {
  const v = Number(ex.res.getHeader('content-length'))
  return Number.isFinite(v) ? v : 0
}

/** Wire bytes of the request head plus the declared body (Istio's `istio_request_bytes`). */
function requestBytes(ex: Exchange): number {
  const raw = ex.req.rawHeaders
  let n = ex.method.length + (ex.req.url?.length ?? 0) + 12
  for (let i = 0; i < raw.length; i += 2) n += raw[i]!.length + raw[i + 1]!.length + 4
  const len = Number(ex.req.headers['content-length'])
  return n + (Number.isFinite(len) ? len : 0) + 2
}
