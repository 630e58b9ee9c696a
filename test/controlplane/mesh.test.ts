import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { type ControlPlane, startControlPlane } from '../../src/controlplane/server.ts'
import type { ProxyConfig } from '../../src/proxyconfig/types.ts'
import { connectConfigStream } from '../../src/xds/client.ts'

const run = promisify(execFile)
const WEIR = new URL('../../bin/weir.js', import.meta.url).pathname

/** Waits (bounded) until `check` holds. */
async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const ns = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } },
}
const svc = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'shop' },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 8080 }] },
})
const pod = (name: string, app: string, version: string, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'shop',
    labels: { app, version, 'security.istio.io/tlsMode': 'istio' },
    annotations: { 'sidecar.istio.io/status': '{}' },
  },
  spec: { containers: [{ name: app, image: `${app}:1`, ports: [{ containerPort: 8080 }] }] },
  status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
})
const vs = (weights: [number, number]) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: 'shop' },
  spec: {
    hosts: ['reviews'],
    http: [
      {
        route: [
          { destination: { host: 'reviews', subset: 'v1' }, weight: weights[0] },
          { destination: { host: 'reviews', subset: 'v2' }, weight: weights[1] },
        ],
      },
    ],
  },
})

describe('control plane: store → snapshot → compile → push', () => {
  let dir: string
  let cp: ControlPlane
  const received: ProxyConfig[] = []
  let stream: ReturnType<typeof connectConfigStream>

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weir-mesh-'))
    cp = await startControlPlane({ stateDir: dir })
    for (const o of [ns, svc('web'), svc('reviews')]) assert.equal(cp.store.create(o).ok, true)
    for (const o of [
      pod('web-1', 'web', 'v1', '127.0.50.1'),
      pod('reviews-1', 'reviews', 'v1', '127.0.50.2'),
      pod('reviews-2', 'reviews', 'v2', '127.0.50.3'),
    ])
      assert.equal(cp.store.create(o).ok, true)
    stream = connectConfigStream({
      url: cp.url,
      token: cp.token,
      node: { id: 'web-1.shop' },
      onConfig: (c) => {
        received.push(c)
        return { ok: true }
      },
    })
  })
  after(async () => {
    stream?.close()
    await cp?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('sends a sidecar its compiled config, and proxy-status shows it SYNCED', async () => {
    await until(
      () => received.length > 0 && stream.state().version === received.at(-1)?.version,
      'first config',
    )
    const config = received.at(-1) as ProxyConfig
    assert.equal(config.node.id, 'web-1.shop')
    assert.ok(config.clusters['outbound|8080||reviews.shop.svc.cluster.local'], 'cluster for reviews')
    const { stdout } = await run(process.execPath, [WEIR, 'proxy-status', '--state', dir])
    assert.match(stdout, /web-1\.shop\s.*SYNCED/)
  })

  it('pushes a new version when a VirtualService is applied, and `weir wait` returns once acked', async () => {
    const before = received.length
    const dr = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'reviews', namespace: 'shop' },
      spec: {
        host: 'reviews',
        subsets: [
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'v2', labels: { version: 'v2' } },
        ],
      },
    }
    assert.equal(cp.store.create(dr).ok, true)
    assert.equal(cp.store.create(vs([90, 10])).ok, true)
    await until(() => received.length > before, 'a push after the change')
    await run(process.execPath, [WEIR, 'wait', '--state', dir, '--timeout', '10s'])
    const config = received.at(-1) as ProxyConfig
    assert.ok(config.clusters['outbound|8080|v2|reviews.shop.svc.cluster.local'], 'subset cluster v2')
  })

  it('`weir explain --from` explains over the config the proxy holds', async () => {
    const { stdout } = await run(process.execPath, [
      WEIR,
      'explain',
      '--from',
      'web-1.shop',
      '--url',
      'http://reviews:8080/',
      '-o',
      'json',
      '--state',
      dir,
    ])
    const e = JSON.parse(stdout) as {
      virtualService: string
      destinations: { cluster: string; weight: number }[]
    }
    assert.equal(e.virtualService, 'reviews.shop')
    assert.deepEqual(
      e.destinations.map((d) => [d.cluster, d.weight]),
      [
        ['outbound|8080|v1|reviews.shop.svc.cluster.local', 90],
        ['outbound|8080|v2|reviews.shop.svc.cluster.local', 10],
      ],
    )
  })

  it('refuses an invalid VirtualService at the door: no push, every proxy stays on its version', async () => {
    const version = stream.state().version
    const count = received.length
    const bad = cp.store.replace({ ...vs([-1, 10]), metadata: { name: 'reviews', namespace: 'shop' } })
    assert.equal(bad.ok, false)
    await cp.mesh.push.waitForConvergence(2000)
    assert.equal(received.length, count)
    assert.equal(stream.state().version, version)
  })
})
