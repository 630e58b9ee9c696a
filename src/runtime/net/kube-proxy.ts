/**
 * @module runtime/net/kube-proxy — the in-process kube-proxy for pods without a sidecar: one TCP forwarder
 * per Service VIP:port, each connection to a random ready endpoint (as kube-proxy's iptables mode picks).
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

/** One VIP:port and where it forwards. */
export interface ForwardRule {
  address: string
  port: number
  endpoints: { host: string; port: number }[]
}

/** The forwarders. */
export interface KubeProxy {
  /** Replaces the rules: opens new forwarders, closes gone ones, updates endpoints in place. */
  update(rules: readonly ForwardRule[]): Promise<void>
  close(): Promise<void>
}

interface Forwarder {
  server: Server
  endpoints: { host: string; port: number }[]
  sockets: Set<Socket>
}

function pipeTo(client: Socket, fwd: Forwarder): void {
  fwd.sockets.add(client)
  client.on('close', () => fwd.sockets.delete(client))
  client.on('error', () => client.destroy())
  const eps = fwd.endpoints
  if (eps.length === 0) {
    client.destroy()
    return
  }
  const ep = eps[Math.floor(Math.random() * eps.length)] as { host: string; port: number }
  const upstream = connect({ host: ep.host, port: ep.port })
  fwd.sockets.add(upstream)
  upstream.on('close', () => {
    fwd.sockets.delete(upstream)
    client.destroy()
  })
  upstream.on('error', () => upstream.destroy())
  client.on('close', () => upstream.destroy())
  client.pipe(upstream)
  upstream.pipe(client)
}

/** A kube-proxy with no rules yet. */
export function createKubeProxy(opts: { onError?: (message: string) => void } = {}): KubeProxy {
  const forwarders = new Map<string, Forwarder>()
  // Each failure is reported once (a reconcile retries every few moments).
  const reported = new Set<string>()
  const closeOne = async (key: string): Promise<void> => {
    const f = forwarders.get(key)
    if (!f) return
    forwarders.delete(key)
    for (const s of f.sockets) s.destroy()
    await new Promise<void>((r) => f.server.close(() => r()))
  }
  return {
    async update(rules) {
      const wanted = new Map(rules.map((r) => [`${r.address}:${r.port}`, r]))
      for (const key of [...forwarders.keys()]) if (!wanted.has(key)) await closeOne(key)
      for (const [key, rule] of wanted) {
        const existing = forwarders.get(key)
        if (existing) {
          existing.endpoints = rule.endpoints
          continue
        }
        const fwd: Forwarder = { server: createServer(), endpoints: rule.endpoints, sockets: new Set() }
        fwd.server.on('connection', (s) => pipeTo(s, fwd))
        forwarders.set(key, fwd)
        await new Promise<void>((resolve) => {
          fwd.server.once('error', (err) => {
            const message = `kube-proxy: cannot listen on ${key}: ${err.message}`
            if (!reported.has(message)) opts.onError?.(message)
            reported.add(message)
            forwarders.delete(key)
            resolve()
          })
          fwd.server.listen(rule.port, rule.address, () => resolve())
        })
      }
    },
    async close() {
      await Promise.all([...forwarders.keys()].map(closeOne))
    },
  }
}
