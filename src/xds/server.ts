/** @module xds/server — the push server: debounced, coalesced pushes of whole configs; ack/nack bookkeeping. */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ProxyConfig } from '../proxyconfig/types.ts'
import { configVersion } from '../proxyconfig/version.ts'
import { hasBearer, sendUnauthorized } from './auth.ts'
import { createLineSplitter } from './lines.ts'
import { createPushMetrics } from './metrics.ts'
import {
  encodeMessage,
  type FromControlPlane,
  NDJSON,
  type ProxyNode,
  PUSH_STREAM_PATH,
  type PushError,
  parseFromProxy,
} from './protocol.ts'
import { type ProxyStatusRow, type ProxyStreamState, statusRow, syncState } from './status.ts'

/** A pino-compatible logger (only the methods used here). */
export interface PushLog {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
}

/** Options of {@link createPushServer}. */
export interface PushServerOptions {
  /** The config a proxy should run now (e.g. `compileProxy(snapshot, node).config`). May throw: logged, nothing sent. */
  configFor: (node: ProxyNode) => ProxyConfig | Promise<ProxyConfig>
  /** Bearer token proxies must present (the control plane API token). */
  token: string
  /** Quiet period before a push (Istio's PILOT_DEBOUNCE_AFTER, default 100 ms). */
  debounceMs?: number
  /** Longest a push waits while changes keep coming (Istio's PILOT_DEBOUNCE_MAX; default 1000 ms). */
  debounceMaxMs?: number
  /** Keep-alive ping interval (default 15 s). */
  pingIntervalMs?: number
  /** The name of this control plane instance (istioctl's ISTIOD column). */
  id?: string
  log?: PushLog
}

/** The outcome of {@link PushServer.waitForConvergence}. */
export interface Convergence {
  converged: boolean
  /** Connected proxies whose state is not SYNCED when the wait ended. */
  notSynced: ProxyStatusRow[]
}

/** A push server. Mount `handle` on an HTTP server (created with `requestTimeout: 0`). */
export interface PushServer {
  /** Serves the stream if `req` is for {@link PUSH_STREAM_PATH}; returns false (untouched) otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): boolean
  /** Config may have changed: after the debounce, recompute every proxy's config and push where the version changed. */
  configChanged(): void
  /** One row per connected proxy, sorted by proxy id. */
  status(): ProxyStatusRow[]
  /** What each connected proxy said about itself in its hello, sorted by proxy id. */
  nodes(): ProxyNode[]
  /** The config last sent to a connected proxy (`GET /debug/config_dump`). */
  configDump(proxyId: string): ProxyConfig | undefined
  /** True while a change waits for its debounce or a push is being computed. */
  pushPending(): boolean
  /** Resolves when no push is pending and every connected proxy is SYNCED, or when `timeoutMs` passes. */
  waitForConvergence(timeoutMs: number): Promise<Convergence>
  /** Prometheus text of the push metrics. */
  metrics(): Promise<string>
  /** Ends every stream (proxies reconnect elsewhere or later) and stops timers. */
  close(): void
}

interface Stream extends ProxyStreamState {
  req: IncomingMessage
  res: ServerResponse
  /** The socket buffer is full: the next push waits for 'drain' (only the newest config is sent). */
  blocked: boolean
  deferred?: number | undefined
}

const HELLO_TIMEOUT_MS = 10_000
const MAX_LINE = 1 << 20
/** Proxies pushed per event-loop turn (Istio throttles with PILOT_PUSH_THROTTLE = 100 concurrent pushes). */
const PUSH_BATCH = 50

/** Ends a stream: the last bytes are flushed, then the connection (whose request never ends) is closed. */
function endStream(req: IncomingMessage, res: ServerResponse, last?: string): void {
  if (res.writableEnded) {
    if (res.writableFinished) req.destroy()
    return
  }
  res.end(last ?? '', () => req.destroy())
}

/** Creates a push server. See docs/adr/0001-push-transport.md for the wire format. */
export function createPushServer(opts: PushServerOptions): PushServer {
  const debounceMs = opts.debounceMs ?? 100
  const debounceMaxMs = Math.max(debounceMs, opts.debounceMaxMs ?? 1000)
  const istiod = opts.id ?? 'weir-controlplane'
  const metrics = createPushMetrics()
  const streams = new Map<string, Stream>()
  const waiters = new Set<() => void>()
  let nonceSeq = 0
  const noncePrefix = randomBytes(3).toString('hex')
  let timer: NodeJS.Timeout | undefined
  let firstChangeAt = 0
  let pushing = false
  let dirtyWhilePushing = false
  let closed = false

  const ping = setInterval(() => {
    for (const s of streams.values()) if (!s.blocked) send(s, { type: 'ping' })
  }, opts.pingIntervalMs ?? 15_000)
  ping.unref()

  // Waiters are checked once per event-loop turn, not once per ACK: a check walks every stream.
  let notifyQueued = false
  const notify = (): void => {
    if (notifyQueued || waiters.size === 0) return
    notifyQueued = true
    setImmediate(() => {
      notifyQueued = false
      for (const w of [...waiters]) w()
    })
  }

  const send = (s: Stream, msg: FromControlPlane): void => {
    if (!s.res.write(encodeMessage(msg))) s.blocked = true
  }

  /** The proxy's config now, or undefined (logged) when `configFor` fails. */
  async function configOf(s: Stream): Promise<ProxyConfig | undefined> {
    try {
      return await opts.configFor(s.node)
    } catch (err) {
      opts.log?.warn({ proxy: s.node.id, err: String(err) }, 'config for proxy failed; nothing pushed')
      return undefined
    }
  }

  /** Computes the proxy's config and sends it when its version differs from the one sent last. */
  async function pushTo(s: Stream, triggeredAt: number | undefined, known?: ProxyConfig): Promise<void> {
    if (s.blocked) {
      s.deferred = triggeredAt ?? s.deferred ?? Date.now()
      return
    }
    const config = known ?? (await configOf(s))
    if (!config || streams.get(s.node.id) !== s) return
    const version = config.version || configVersion(config)
    if (s.sent?.version === version) return
    const nonce = `${noncePrefix}-${(++nonceSeq).toString(36)}`
    const sent: NonNullable<Stream['sent']> = { version, nonce, at: Date.now(), config }
    if (triggeredAt !== undefined) sent.triggeredAt = triggeredAt
    s.sent = sent
    metrics.pushes.inc({ type: 'config' })
    send(s, { type: 'config', version, nonce, config })
  }

  async function pushAll(triggeredAt: number): Promise<void> {
    pushing = true
    try {
      // In batches, yielding to the event loop between them, so the first proxies' ACKs are read while
      // later configs are still being computed (compute and the proxies' apply then overlap).
      const all = [...streams.values()]
      for (let i = 0; i < all.length; i += PUSH_BATCH) {
        if (i > 0) await new Promise((r) => setImmediate(r))
        await Promise.all(all.slice(i, i + PUSH_BATCH).map((s) => pushTo(s, triggeredAt)))
      }
    } finally {
      pushing = false
    }
    if (dirtyWhilePushing) {
      dirtyWhilePushing = false
      schedule()
    }
    notify()
  }

  function schedule(): void {
    if (closed) return
    const now = Date.now()
    if (timer === undefined) firstChangeAt = now
    else clearTimeout(timer)
    const at = Math.min(now + debounceMs, firstChangeAt + debounceMaxMs)
    const triggeredAt = firstChangeAt
    timer = setTimeout(
      () => {
        timer = undefined
        void pushAll(triggeredAt)
      },
      Math.max(0, at - now),
    )
  }

  function onHello(
    req: IncomingMessage,
    res: ServerResponse,
    node: ProxyNode,
    lastVersion: string | undefined,
  ): Stream {
    const previous = streams.get(node.id)
    if (previous) {
      opts.log?.info({ proxy: node.id }, 'a newer stream replaces this proxy’s stream')
      streams.delete(node.id)
      const replaced = `a newer stream for proxy ${node.id} connected (two proxies with one id?)`
      endStream(
        previous.req,
        previous.res,
        encodeMessage({ type: 'error', error: { code: 'REPLACED', message: replaced } }),
      )
    }
    const s: Stream = { node, req, res, connectedAt: Date.now(), blocked: false }
    if (lastVersion !== undefined) s.runningVersion = lastVersion
    streams.set(node.id, s)
    metrics.connected.set(streams.size)
    res.on('drain', () => {
      s.blocked = false
      const d = s.deferred
      s.deferred = undefined
      if (d !== undefined) void pushTo(s, d).then(notify)
    })
    void resume(s, lastVersion).then(notify)
    return s
  }

  /** First config of a stream. A proxy that already runs the current version is not sent it again. */
  async function resume(s: Stream, lastVersion: string | undefined): Promise<void> {
    if (lastVersion === undefined) return pushTo(s, undefined)
    const config = await configOf(s)
    if (!config) return
    const version = config.version || configVersion(config)
    if (version !== lastVersion || streams.get(s.node.id) !== s || s.sent) return pushTo(s, undefined, config)
    const at = Date.now()
    s.sent = { version, nonce: 'resumed', at, config }
    s.acked = { version, nonce: 'resumed', at }
  }

  function onAnswer(
    s: Stream,
    kind: 'ack' | 'nack',
    version: string,
    nonce: string,
    error?: PushError,
  ): void {
    if (s.sent?.nonce !== nonce) {
      opts.log?.info({ proxy: s.node.id, nonce, kind }, 'answer to an older push ignored')
      return
    }
    const at = Date.now()
    s.runningVersion = version
    if (kind === 'ack') {
      s.acked = { version, nonce, at }
      if (s.sent.triggeredAt !== undefined) metrics.convergence.observe((at - s.sent.triggeredAt) / 1000)
    } else if (error) {
      s.nack = { version, nonce, at, error }
      metrics.rejects.inc({ type: 'config' })
      opts.log?.warn(
        { proxy: s.node.id, nonce, error },
        'proxy rejected config (NACK); it keeps its last good one',
      )
    }
    notify()
  }

  function handleStream(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') {
      res
        .writeHead(405, { allow: 'POST', 'content-type': 'text/plain' })
        .end(`use POST ${PUSH_STREAM_PATH}\n`)
      return
    }
    if (!hasBearer(req, opts.token)) {
      sendUnauthorized(res)
      return
    }
    if (closed) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('push server is closing\n')
      return
    }
    res.writeHead(200, {
      'content-type': NDJSON,
      'cache-control': 'no-store',
      'x-weir-protocol': 'weir.push/v1',
    })
    res.flushHeaders()
    req.socket.setNoDelay(true)
    let stream: Stream | undefined
    const fail = (code: string, message: string): void => {
      opts.log?.warn({ proxy: stream?.node.id, code, message }, 'push stream protocol error')
      endStream(req, res, encodeMessage({ type: 'error', error: { code, message } }))
    }
    const helloTimer = setTimeout(() => fail('NO_HELLO', 'no hello within 10 s'), HELLO_TIMEOUT_MS)
    const lines = createLineSplitter(
      (line) => {
        const parsed = parseFromProxy(line)
        if (!parsed.ok) {
          fail('BAD_MESSAGE', parsed.error)
          return
        }
        const m = parsed.message
        if (m.type === 'hello') {
          if (stream) {
            fail('BAD_MESSAGE', 'hello sent twice on one stream')
            return
          }
          clearTimeout(helloTimer)
          stream = onHello(req, res, m.node, m.lastVersion)
          return
        }
        if (!stream) {
          fail('BAD_MESSAGE', `${m.type} before hello`)
          return
        }
        if (m.type === 'ack') onAnswer(stream, 'ack', m.version, m.nonce)
        else onAnswer(stream, 'nack', m.version, m.nonce, m.error)
      },
      MAX_LINE,
      () => fail('TOO_LARGE', `a message is longer than ${MAX_LINE} bytes`),
    )
    req.on('data', (chunk: Buffer) => lines.push(chunk))
    const gone = (): void => {
      clearTimeout(helloTimer)
      if (stream && streams.get(stream.node.id) === stream) {
        streams.delete(stream.node.id)
        metrics.connected.set(streams.size)
        notify()
      }
      endStream(req, res)
    }
    req.on('end', gone)
    req.on('error', gone)
    res.on('close', gone)
  }

  const allSynced = (): boolean =>
    !(timer !== undefined || pushing) && [...streams.values()].every((s) => syncState(s) === 'SYNCED')

  const server: PushServer = {
    handle(req, res) {
      const path = (req.url ?? '').split('?')[0]
      if (path !== PUSH_STREAM_PATH) return false
      handleStream(req, res)
      return true
    },
    configChanged() {
      if (pushing) dirtyWhilePushing = true
      else schedule()
    },
    status() {
      return [...streams.values()]
        .map((s) => statusRow(s, istiod))
        .sort((a, b) => a.proxy.localeCompare(b.proxy))
    },
    nodes() {
      return [...streams.values()].map((s) => s.node).sort((a, b) => a.id.localeCompare(b.id))
    },
    configDump(proxyId) {
      return streams.get(proxyId)?.sent?.config
    },
    pushPending: () => timer !== undefined || pushing,
    waitForConvergence(timeoutMs) {
      return new Promise((resolve) => {
        const finish = (converged: boolean): void => {
          waiters.delete(check)
          clearTimeout(t)
          resolve({ converged, notSynced: server.status().filter((r) => r.state !== 'SYNCED') })
        }
        const check = (): void => {
          if (allSynced()) finish(true)
        }
        const t = setTimeout(() => finish(allSynced()), Math.max(0, timeoutMs))
        waiters.add(check)
        check()
      })
    },
    metrics: () => metrics.registry.metrics(),
    close() {
      closed = true
      clearInterval(ping)
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      for (const s of streams.values()) endStream(s.req, s.res)
      streams.clear()
      metrics.connected.set(0)
      notify()
    },
  }
  return server
}
