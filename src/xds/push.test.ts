/** @module xds/push.test — push server and client over real sockets: ack, nack, selective pushes, coalescing, reconnect. */
import assert from 'node:assert/strict'
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net'
import { after, test } from 'node:test'
import type { ProxyConfig } from '../proxyconfig/types.ts'
import { type ApplyResult, type ConfigStream, connectConfigStream } from './client.ts'
import { type ProxyNode, splitProxyId } from './protocol.ts'
import { createPushServer, type PushServer } from './server.ts'
import { listenPushServer, type PushListener } from './standalone.ts'
import { eventually, tinyConfig } from './testing.ts'

const TOKEN = 'test-token'
const cleanups: (() => unknown)[] = []
after(async () => {
  for (const c of cleanups.reverse()) await c()
})

interface Harness {
  push: PushServer
  listener: PushListener
  generation: Map<string, string>
}

/** A push server whose config for a proxy depends on the generation of the proxy's namespace. */
async function startServer(port = 0, generation = new Map<string, string>()): Promise<Harness> {
  const push = createPushServer({
    token: TOKEN,
    debounceMs: 20,
    configFor: (node) => tinyConfig(node, generation.get(node.namespace ?? '') ?? 'v1'),
  })
  const listener = await listenPushServer(push, { token: TOKEN, port })
  cleanups.push(() => listener.close())
  return { push, listener, generation }
}

interface Proxy {
  stream: ConfigStream
  applied: ProxyConfig[]
  results: ApplyResult[]
}

function startProxy(url: string, id: string, reject?: (c: ProxyConfig) => string | undefined): Proxy {
  const node: ProxyNode = {
    id,
    namespace: id.split('.')[1] ?? 'default',
    cluster: 'Kubernetes',
    proxyVersion: '0.1.0',
  }
  const p: Proxy = { applied: [], results: [], stream: undefined as unknown as ConfigStream }
  p.stream = connectConfigStream({
    url,
    token: TOKEN,
    node,
    backoff: { initialMs: 20, maxMs: 200 },
    onConfig: (config) => {
      const why = reject?.(config)
      const result: ApplyResult = why ? { ok: false, error: why } : { ok: true }
      if (result.ok) p.applied.push(config)
      p.results.push(result)
      return result
    },
  })
  cleanups.push(() => p.stream.close())
  return p
}

const row = (push: PushServer, id: string) => push.status().find((r) => r.proxy === id)

test('a proxy receives its config, acks it, and shows SYNCED', async () => {
  const { push, listener } = await startServer()
  const p = startProxy(listener.url, 'productpage-v1.default')
  await eventually('SYNCED', () => row(push, 'productpage-v1.default')?.state === 'SYNCED')
  assert.equal(p.applied.length, 1)
  const r = row(push, 'productpage-v1.default')!
  assert.equal(r.acked?.version, p.applied[0]!.version)
  assert.equal(r.cluster, 'Kubernetes')
  assert.equal(p.stream.state().version, p.applied[0]!.version)
  assert.deepEqual(push.configDump('productpage-v1.default'), p.applied[0])
  assert.match(await push.metrics(), /pilot_xds 1/)
})

test('a NACK keeps the last good config and is recorded for status', async () => {
  const { push, listener, generation } = await startServer()
  const p = startProxy(listener.url, 'reviews-v1.default', (c) =>
    JSON.stringify(c).includes('|bad|') ? 'route regex does not compile' : undefined,
  )
  await eventually('first config', () => row(push, 'reviews-v1.default')?.state === 'SYNCED')
  const good = p.applied[0]!.version
  generation.set('default', 'bad')
  push.configChanged()
  await eventually('NACK', () => row(push, 'reviews-v1.default')?.state === 'NACK')
  assert.deepEqual(
    p.results.map((r) => r.ok),
    [true, false],
  )
  assert.equal(p.stream.state().version, good, 'the proxy still runs the last good version')
  const r = row(push, 'reviews-v1.default')!
  assert.equal(r.runningVersion, good)
  assert.equal(r.acked?.version, good)
  assert.equal(r.nack?.error.message, 'route regex does not compile')
  assert.notEqual(r.sent?.version, good)
  assert.match(await push.metrics(), /pilot_total_xds_rejects\{type="config"\} 1/)
  // Unchanged bad config is not pushed again; a fixed one converges.
  push.configChanged()
  await new Promise((r) => setTimeout(r, 60))
  assert.equal(p.results.length, 2)
  generation.set('default', 'v2')
  push.configChanged()
  const converged = await push.waitForConvergence(5_000)
  assert.equal(converged.converged, true)
  assert.equal(p.applied.length, 2)
})

test('only proxies whose config changed are pushed, and a burst of changes is one push', async () => {
  const { push, listener, generation } = await startServer()
  const a = startProxy(listener.url, 'a.team-a')
  const b = startProxy(listener.url, 'b.team-b')
  await eventually(
    'both synced',
    () => push.status().length === 2 && push.status().every((r) => r.state === 'SYNCED'),
  )
  for (let i = 0; i < 50; i++) {
    generation.set('team-a', `g${i}`)
    push.configChanged()
  }
  assert.equal(push.pushPending(), true)
  assert.equal((await push.waitForConvergence(5_000)).converged, true)
  assert.equal(a.applied.length, 2, 'a got one push for the whole burst')
  assert.match(JSON.stringify(a.applied[1]), /\|g49\|/)
  assert.equal(b.applied.length, 1, 'b was not pushed')
  const metrics = await push.metrics()
  assert.match(metrics, /pilot_xds_pushes\{type="config"\} 3/)
  assert.match(metrics, /pilot_proxy_convergence_time_count 1\n/, 'one change-to-ACK observation (a)')
})

test('when the control plane goes away the proxy keeps its config and reconnects with lastVersion', async () => {
  const first = await startServer()
  const port = Number(new URL(first.listener.url).port)
  const p = startProxy(first.listener.url, 'ratings-v1.default')
  await eventually('synced', () => row(first.push, 'ratings-v1.default')?.state === 'SYNCED')
  const v1 = p.stream.state().version
  await first.listener.close()
  await eventually('disconnected', () => !p.stream.state().connected)
  assert.equal(p.stream.state().version, v1)

  // Back with the same config: the proxy says which version it runs, nothing is re-sent.
  const second = await startServer(port)
  await eventually('resumed', () => row(second.push, 'ratings-v1.default')?.state === 'SYNCED')
  assert.equal(p.applied.length, 1)
  assert.equal(row(second.push, 'ratings-v1.default')?.runningVersion, v1)
  await second.listener.close()

  // Back with a changed config: the proxy converges to it.
  const third = await startServer(port, new Map([['default', 'v3']]))
  await eventually('converged on v3', () => p.applied.length === 2)
  await eventually('acked', () => row(third.push, 'ratings-v1.default')?.state === 'SYNCED')
  assert.equal(row(third.push, 'ratings-v1.default')?.acked?.version, p.applied[1]!.version)
  assert.ok(p.stream.state().connects >= 3)
})

test('a wrong token is refused with 401 and nothing is applied', async () => {
  const { push, listener } = await startServer()
  const p = connectConfigStream({
    url: listener.url,
    token: 'wrong',
    node: { id: 'x.default' },
    backoff: { initialMs: 1000, maxMs: 1000 },
    onConfig: () => {
      throw new Error('must not be called')
    },
  })
  cleanups.push(() => p.close())
  await eventually('refused', () => p.state().lastError?.startsWith('HTTP 401') === true)
  assert.equal(push.status().length, 0)
})

test('a debug request without the token is refused; with it, config_dump answers', async () => {
  const { listener } = await startServer()
  startProxy(listener.url, 'details-v1.default')
  const denied = await fetch(`${listener.url}/debug/proxy-status`)
  assert.equal(denied.status, 401)
  const auth = { authorization: `Bearer ${TOKEN}` }
  const sync = await fetch(`${listener.url}/debug/sync?timeoutMs=5000`, { headers: auth })
  assert.equal(((await sync.json()) as { converged: boolean }).converged, true)
  const dump = await fetch(`${listener.url}/debug/config_dump?proxy=details-v1.default`, { headers: auth })
  assert.equal(dump.status, 200)
  assert.equal(((await dump.json()) as ProxyConfig).node.id, 'details-v1.default')
  const missing = await fetch(`${listener.url}/debug/config_dump?proxy=nope.default`, { headers: auth })
  assert.equal(missing.status, 404)
})

test('a slow proxy that gets several pushes while applying ends on the newest config', async () => {
  const { push, listener, generation } = await startServer()
  const applied: string[] = []
  const stream = connectConfigStream({
    url: listener.url,
    token: TOKEN,
    node: { id: 'slow.default', namespace: 'default' },
    onConfig: async (config) => {
      await new Promise((r) => setTimeout(r, 30))
      applied.push(config.version)
      return { ok: true }
    },
  })
  cleanups.push(() => stream.close())
  await eventually('first config', () => row(push, 'slow.default')?.state === 'SYNCED')
  for (const g of ['g1', 'g2', 'g3']) {
    generation.set('default', g)
    push.configChanged()
    await new Promise((r) => setTimeout(r, 25))
  }
  assert.equal((await push.waitForConvergence(5_000)).converged, true)
  const final = row(push, 'slow.default')!
  assert.equal(final.acked?.version, tinyConfig({ id: 'slow.default', namespace: 'default' }, 'g3').version)
  assert.equal(applied.at(-1), final.acked?.version)
  assert.equal(stream.state().version, final.acked?.version)
})

test('splitProxyId splits at the last dot', () => {
  assert.deepEqual(splitProxyId('reviews-v1-abc.default'), { name: 'reviews-v1-abc', namespace: 'default' })
  assert.deepEqual(splitProxyId('a.b.c'), { name: 'a.b', namespace: 'c' })
  assert.deepEqual(splitProxyId('lonely'), { name: 'lonely', namespace: 'default' })
})

test('a control plane that accepts but never answers is given up on after the idle timeout, and retried', async () => {
  const sockets: Socket[] = []
  const silent = createNetServer((socket) => sockets.push(socket))
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
  cleanups.push(() => {
    for (const s of sockets) s.destroy()
    return new Promise((r) => silent.close(r))
  })
  const port = (silent.address() as AddressInfo).port
  const stream = connectConfigStream({
    url: `http://127.0.0.1:${port}`,
    token: TOKEN,
    node: { id: 'patient.default' },
    idleTimeoutMs: 50,
    backoff: { initialMs: 10, maxMs: 20 },
    onConfig: () => ({ ok: true }),
  })
  cleanups.push(() => stream.close())
  await eventually('reconnect attempts', () => stream.state().connects >= 3)
  assert.match(stream.state().lastError ?? '', /no message for 50 ms/)
})

test('a second stream with the same proxy id replaces the first, which backs off', async () => {
  const { push, listener } = await startServer()
  const first = startProxy(listener.url, 'dup.default')
  await eventually('first synced', () => row(push, 'dup.default')?.state === 'SYNCED')
  const second = startProxy(listener.url, 'dup.default')
  await eventually('first replaced', () => first.stream.state().lastError?.startsWith('REPLACED') === true)
  await eventually(
    'second synced',
    () => second.stream.state().connected && row(push, 'dup.default')?.state === 'SYNCED',
  )
  assert.equal(push.status().length, 1)
  assert.equal(first.stream.state().connects, 1, 'the replaced stream waits out a long backoff')
})

test('changes that never stop still get pushed after debounceMaxMs', async () => {
  const generation = new Map<string, string>()
  const push = createPushServer({
    token: TOKEN,
    debounceMs: 50,
    debounceMaxMs: 100,
    configFor: (node) => tinyConfig(node, generation.get('default') ?? 'v1'),
  })
  const listener = await listenPushServer(push, { token: TOKEN })
  cleanups.push(() => listener.close())
  const p = startProxy(listener.url, 'busy.default')
  await eventually('first config', () => p.applied.length === 1)
  let pushedWhileBusy = false
  for (let i = 0; i < 1000 && !pushedWhileBusy; i++) {
    generation.set('default', `g${i}`)
    push.configChanged() // every 5 ms: the 50 ms quiet period never comes
    await new Promise((r) => setTimeout(r, 5))
    pushedWhileBusy = p.applied.length > 1
  }
  assert.ok(pushedWhileBusy, 'a push happened while changes kept coming')
})
