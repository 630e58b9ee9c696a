/**
 * The dashboard in Debian's Chromium (driven by playwright-core): the token login, the versioned graph
 * with the edge shares of generated load, and a weight change made in the page reaching a proxy.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { type Browser, chromium, type Page } from 'playwright-core'
import type { ProxyHandle } from '../../src/proxy/proxy.ts'
import { startTestProxy } from '../../src/proxy/test-support.ts'
import type { ProxyConfig } from '../../src/proxyconfig/types.ts'
import { type ConfigStream, connectConfigStream } from '../../src/xds/client.ts'
import { eventually, tinyConfig } from '../../src/xds/testing.ts'
import { startTestMesh, type TestMesh } from '../observe/mesh.ts'

const CHROMIUM = '/usr/bin/chromium'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const pod = (name: string, app: string, version: string, ip: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'default',
    labels: { app, version, 'security.istio.io/tlsMode': 'istio' },
    annotations: { 'sidecar.istio.io/status': '{}' },
  },
  spec: { containers: [{ name: app, image: `${app}:1`, ports: [{ containerPort: 9080 }] }] },
  status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
})

/** The weights the proxy's route to the ratings service sends to each subset cluster. */
function ratingsWeights(config: ProxyConfig): Record<string, number> {
  for (const table of Object.values(config.routeTables))
    for (const vh of table.virtualHosts)
      for (const r of vh.routes)
        if (
          r.action.kind === 'forward' &&
          r.action.backends.some((b) => b.cluster.includes('ratings.default'))
        )
          return Object.fromEntries(r.action.backends.map((b) => [b.cluster.split('|')[2], b.weight]))
  return {}
}

describe('dashboard', {
  skip: !existsSync(CHROMIUM) && 'chromium is not installed (apt-get install chromium)',
}, () => {
  let mesh: TestMesh
  let browser: Browser
  let page: Page
  let shifter: ProxyHandle
  let stream: ConfigStream
  before(async () => {
    mesh = await startTestMesh({ withV1: true })
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 })
    page = await browser.newPage()
    page.setDefaultTimeout(15_000)
  })
  after(async () => {
    stream?.close()
    await shifter?.close()
    await browser?.close()
    await mesh?.close()
  })

  it('serves nothing without the token', async () => {
    for (const path of ['/ui/', '/ui/api/graph', '/ui/assets/x.js']) {
      const r = await fetch(`${mesh.cp.url}${path}`)
      assert.equal(r.status, 401, path)
      await r.body?.cancel()
    }
    const wrong = await fetch(`${mesh.cp.url}/ui/?token=nope`, { redirect: 'manual' })
    assert.equal(wrong.status, 401)
    await wrong.body?.cancel()
  })

  it('logs in with ?token= (HttpOnly cookie) and draws the versioned graph with edge shares', async () => {
    for (let i = 0; i < 3; i++) assert.equal(await mesh.call('/v1/reviews'), 200)
    assert.equal(await mesh.call('/ok'), 200)
    await page.goto(`${mesh.cp.url}/ui/?token=${mesh.cp.token}`)
    assert.equal(new URL(page.url()).search, '', 'the token is not left in the address bar')
    const cookie = (await page.context().cookies()).find((c) => c.name === 'weir_ui')
    assert.equal(cookie?.httpOnly, true)
    await page.waitForFunction("document.querySelectorAll('#edges tbody tr').length === 2")
    const shares = await page.$$eval('#edges tbody tr', (rows) =>
      rows.map((r) => ['data-source', 'data-target', 'data-percent'].map((a) => r.getAttribute(a))),
    )
    assert.deepEqual(shares, [
      ['default/productpage/v1', 'default/reviews/v1', '75'],
      ['default/productpage/v1', 'default/reviews/v2', '25'],
    ])
    const labels = (await page.evaluate(
      'window.weirGraph.nodes().map((n) => n.data("label")).sort()',
    )) as string[]
    assert.deepEqual(labels, ['productpage\nv1', 'reviews\nv1', 'reviews\nv2'])
    assert.equal((await page.locator('#graph canvas').count()) > 0, true, 'cytoscape drew on a canvas')
  })

  it('a weight change made in the page reaches the proxies', async () => {
    const store = mesh.cp.store
    const write = (o: Record<string, unknown>) => {
      const r = store.create(o as never)
      assert.ok(r.ok, JSON.stringify(r))
    }
    write({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ratings', namespace: 'default' },
      spec: { selector: { app: 'ratings' }, ports: [{ name: 'http', port: 9080 }] },
    })
    write(pod('ratings-v1-1', 'ratings', 'v1', '127.0.10.1'))
    write(pod('ratings-v2-1', 'ratings', 'v2', '127.0.10.2'))
    write(pod('shifter-1', 'shifter', 'v1', '127.0.10.3'))
    write({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'ratings', namespace: 'default' },
      spec: {
        host: 'ratings',
        subsets: [
          { name: 'v1', labels: { version: 'v1' } },
          { name: 'v2', labels: { version: 'v2' } },
        ],
      },
    })
    write({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'ratings', namespace: 'default' },
      spec: {
        hosts: ['ratings'],
        http: [
          {
            route: [
              { destination: { host: 'ratings', subset: 'v1' }, weight: 100 },
              { destination: { host: 'ratings', subset: 'v2' }, weight: 0 },
            ],
          },
        ],
      },
    })
    // A real proxy for pod shifter-1, serving whatever the control plane pushes.
    shifter = await startTestProxy(tinyConfig({ id: 'shifter-1.default' }, 0))
    stream = connectConfigStream({
      url: mesh.cp.url,
      token: mesh.cp.token,
      node: { id: 'shifter-1.default', adminUrl: `http://127.0.0.1:${shifter.adminAddress().port}` },
      onConfig: (c) => shifter.applyConfig(c),
    })
    await eventually(
      'the compiled config reached the proxy',
      () => ratingsWeights(shifter.config()).v1 === 100,
      10_000,
    )

    await page.click('nav button[data-view="services"]')
    const rule = page.locator('.vs[data-vs="default/ratings"] .rule[data-rule="0"]')
    await rule.locator('input[data-i="0"]').fill('40')
    await rule.locator('input[data-i="1"]').fill('60')
    await rule.locator('button.preview').click()
    await page.waitForSelector('.vs[data-vs="default/ratings"] .result[data-state="preview"]')
    const diff = await rule.locator('pre.diff').textContent()
    assert.match(diff ?? '', /^- +weight: 100$/m)
    assert.match(diff ?? '', /^\+ +weight: 40$/m)
    assert.match(diff ?? '', /^\+ +weight: 60$/m)
    assert.equal(ratingsWeights(shifter.config()).v1, 100, 'a preview changes nothing')

    await rule.locator('button.apply').click()
    // "synced" when every connected proxy acked; the test mesh's other proxies have no Pod, so the
    // control plane never sends them anything and the page reports "applied" after its wait.
    await page.waitForSelector(
      '.vs[data-vs="default/ratings"] .result[data-state="synced"], .vs[data-vs="default/ratings"] .result[data-state="applied"]',
    )
    await eventually(
      'the new weights reached the proxy',
      () => ratingsWeights(shifter.config()).v2 === 60,
      10_000,
    )
    assert.deepEqual(ratingsWeights(shifter.config()), { v1: 40, v2: 60 })
    const synced = (await mesh.cp.mesh.push.status()).find((r) => r.proxy === 'shifter-1.default')
    assert.equal(synced?.state, 'SYNCED')
    // Spans go to the control plane when the mesh config names no Zipkin address.
    assert.equal(shifter.config().mesh.tracing.zipkinUrl, `${mesh.cp.url}/api/v2/spans`)
  })

  it('lists proxies with their sync state and config with analyzer messages', async () => {
    await page.click('nav button[data-view="proxies"]')
    await page.waitForFunction(
      "[...document.querySelectorAll('#proxies tbody tr')].some((r) => r.textContent.includes('shifter-1.default') && r.textContent.includes('SYNCED'))",
    )
    await page.click('nav button[data-view="config"]')
    await page.waitForFunction(
      "[...document.querySelectorAll('#config tbody tr')].some((r) => r.textContent.includes('VirtualService') && r.textContent.includes('ratings'))",
    )
    const rows = await page.$$eval('#config tbody tr', (trs) => trs.map((r) => r.textContent ?? ''))
    assert.ok(rows.some((r) => r.includes('DestinationRule') && r.includes('ratings')))
  })
})
