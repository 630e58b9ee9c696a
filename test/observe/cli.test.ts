/**
 * `weir stat`, `weir top` and `weir traces` against a real control plane and two real proxies: the
 * numbers they print equal the proxies' own counters, and the traces are the requests' hops.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parsePrometheusText } from '../../src/observe/prom-text.ts'
import type { StatRow } from '../../src/observe/stat.ts'
import type { TopRow } from '../../src/observe/top.ts'
import type { TraceSummary } from '../../src/observe/trace-store.ts'
import { send } from '../../src/proxy/test-support.ts'
import { eventually } from '../../src/xds/testing.ts'
import { startTestMesh, type TestMesh } from './mesh.ts'

const WEIR = fileURLToPath(new URL('../../bin/weir.js', import.meta.url))

function weir(mesh: TestMesh, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [WEIR, ...args],
      { env: { ...process.env, WEIR_SERVER: mesh.cp.url, WEIR_TOKEN: mesh.cp.token }, timeout: 30_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    )
  })
}

/** reporter="destination" istio_requests_total of the reviews proxy, read straight from its admin port. */
async function reviewsCounters(mesh: TestMesh): Promise<{ total: number; failed: number }> {
  const text = (await send(mesh.reviews.adminAddress().port, { path: '/stats/prometheus' })).body
  let total = 0
  let failed = 0
  for (const s of parsePrometheusText(text)) {
    if (s.name !== 'istio_requests_total' || s.labels.reporter !== 'destination') continue
    total += s.value
    if (s.labels.response_code?.startsWith('5')) failed += s.value
  }
  return { total, failed }
}

describe('weir stat / top / traces', () => {
  let mesh: TestMesh
  before(async () => {
    mesh = await startTestMesh({ samplingPercent: 100 })
    for (let i = 0; i < 7; i++) assert.equal(await mesh.call('/ok?i=1'), 200)
    for (let i = 0; i < 3; i++) assert.equal(await mesh.call('/fail'), 500)
  })
  after(async () => {
    await mesh?.close()
  })

  it('stat deploy --window 0: totals equal the proxy’s counters', async () => {
    const r = await weir(mesh, ['stat', 'deploy', '--window', '0', '-o', 'json'])
    assert.equal(r.code, 0, r.stderr)
    const rows = JSON.parse(r.stdout) as StatRow[]
    const reviews = rows.find((x) => x.name === 'reviews-v2')
    assert.ok(reviews, r.stdout)
    const c = await reviewsCounters(mesh)
    assert.equal(c.total, 10)
    assert.equal(reviews.requests, c.total)
    assert.equal(reviews.success, (c.total - c.failed) / c.total)
    assert.deepEqual(reviews.versions, ['v2'])
    assert.deepEqual(reviews.meshed, { ready: 1, total: 1 })
    assert.equal(reviews.rps, null)
    const { p50, p95, p99 } = reviews.latencyMs
    assert.ok(
      p50 !== null && p95 !== null && p99 !== null && p50 <= p95 && p95 <= p99,
      JSON.stringify(reviews),
    )
    // productpage has a sidecar but served nothing inbound.
    const pp = rows.find((x) => x.name === 'productpage-v1')
    assert.equal(pp?.requests, 0)
    assert.equal(pp?.success, null)
  })

  it('stat deploy prints Linkerd’s columns', async () => {
    const r = await weir(mesh, ['stat', 'deploy', 'reviews-v2', '--window', '0'])
    assert.equal(r.code, 0, r.stderr)
    const [head, row, ...rest] = r.stdout.trim().split('\n')
    assert.deepEqual(head!.split(/\s+/), [
      'NAME',
      'MESHED',
      'SUCCESS',
      'RPS',
      'LATENCY_P50',
      'LATENCY_P95',
      'LATENCY_P99',
      'TCP_CONN',
    ])
    assert.equal(rest.length, 0)
    const cells = row!.split(/\s+/)
    assert.deepEqual(cells.slice(0, 4), ['reviews-v2', '1/1', '70.00%', '10req'])
    assert.match(cells[4]!, /^\d+(\.\d)?ms$/)
  })

  it('stat svc and pod group by service and by pod', async () => {
    const svc = JSON.parse(
      (await weir(mesh, ['stat', 'svc', '--window', '0', '-o', 'json'])).stdout,
    ) as StatRow[]
    assert.deepEqual(
      svc.map((x) => [x.name, x.requests]),
      [['reviews', 10]],
    )
    const pods = JSON.parse(
      (await weir(mesh, ['stat', 'po', '--window', '0', '-o', 'json'])).stdout,
    ) as StatRow[]
    assert.deepEqual(
      pods.map((x) => [x.name, x.requests]),
      [
        ['productpage-v1-1', 0],
        ['reviews-v2-1', 10],
      ],
    )
  })

  it('top lists the busiest paths with the source and destination workloads', async () => {
    const r = await weir(mesh, ['top', '--once', '-o', 'json', '--since', '5m'])
    assert.equal(r.code, 0, r.stderr)
    const rows = JSON.parse(r.stdout) as TopRow[]
    const ok = rows.find((x) => x.path === '/ok')
    const fail = rows.find((x) => x.path === '/fail')
    assert.ok(ok && fail, r.stdout)
    assert.equal(fail.count, 3)
    assert.equal(fail.success, 0)
    assert.equal(fail.source, 'productpage-v1.default')
    assert.equal(fail.destination, 'reviews-v2.default')
    assert.equal(fail.method, 'GET')
    assert.ok(ok.count >= 7)
    const table = await weir(mesh, ['top', '--once'])
    assert.match(
      table.stdout.split('\n')[0]!,
      /^SOURCE\s+DESTINATION\s+METHOD\s+PATH\s+COUNT\s+BEST\s+WORST\s+LAST\s+SUCCESS_RATE$/,
    )
  })

  it('traces shows each request’s hops with codes, flags and the route', async () => {
    await eventually(
      'spans exported to the control plane',
      () =>
        mesh.cp.traces.traces(1000).filter((t) => t.hops.length === 2 && t.root.endsWith('/fail')).length ===
        3,
      10_000,
    )
    const r = await weir(mesh, ['traces', '--limit', '1000', '-o', 'json'])
    assert.equal(r.code, 0, r.stderr)
    const traces = JSON.parse(r.stdout) as TraceSummary[]
    const failed = traces.filter((t) => t.root.endsWith('/fail'))
    assert.equal(failed.length, 3)
    const t = failed[0]!
    assert.equal(t.error, true)
    assert.deepEqual(
      t.hops.map((h) => [h.service, h.kind, h.statusCode, h.responseFlags, h.route]),
      [
        ['productpage-v1.default', 'CLIENT', '500', '-', 'outbound|9080||reviews.default.svc.cluster.local'],
        ['reviews-v2.default', 'SERVER', '500', '-', 'inbound|9080||'],
      ],
    )
    assert.equal(t.hops[1]!.parentId, t.hops[0]!.spanId)
    const limited = await weir(mesh, ['traces', '--limit', '2'])
    assert.equal(limited.stdout.split('\n').filter((l) => l.startsWith('TRACE ')).length, 2)
    assert.equal((await weir(mesh, ['traces', '--limit', 'x'])).code, 64)
  })

  // Last: its load fills the proxies' span rings.
  it('stat over a window counts only the requests made during it', async () => {
    const before = await reviewsCounters(mesh)
    let stop = false
    const load = (async () => {
      for (let i = 0; i < 2000 && !stop; i++) await mesh.call('/ok')
    })()
    const r = await weir(mesh, ['stat', 'deploy/reviews-v2', '--window', '1s', '-o', 'json'])
    stop = true
    await load
    assert.equal(r.code, 0, r.stderr)
    const row = (JSON.parse(r.stdout) as StatRow[])[0]!
    const afterCount = (await reviewsCounters(mesh)).total
    assert.ok(
      row.requests > 0 && row.requests <= afterCount - before.total,
      `${row.requests} of ${afterCount - before.total}`,
    )
    assert.equal(row.rps, row.requests / 1)
    assert.equal(row.success, 1)
  })

  it('prometheus-config and dashboard print what a user pastes', async () => {
    const cfg = await weir(mesh, ['prometheus-config', '--scrape-interval', '5s'])
    assert.equal(cfg.code, 0, cfg.stderr)
    assert.match(cfg.stdout, /http_sd_configs:/)
    assert.ok(cfg.stdout.includes(`url: ${mesh.cp.url}/observe/v1/prometheus-sd`))
    assert.ok(cfg.stdout.includes(`credentials: ${mesh.cp.token}`))
    assert.match(cfg.stdout, /scrape_interval: 5s/)
    assert.equal((await weir(mesh, ['prometheus-config', '--scrape-interval', 'often'])).code, 64)
    const dash = await weir(mesh, ['dashboard', '--no-browser'])
    assert.equal(dash.code, 0, dash.stderr)
    assert.equal(dash.stdout, `${mesh.cp.url}/ui/?token=${mesh.cp.token}\n`)
  })

  it('refuses bad usage with exit 64 and unauthenticated API calls with 401', async () => {
    assert.equal((await weir(mesh, ['stat', 'nodes'])).code, 64)
    assert.equal((await weir(mesh, ['stat', 'deploy', '--window', 'soon'])).code, 64)
    const res = await fetch(`${mesh.cp.url}/observe/v1/prometheus-sd`)
    assert.equal(res.status, 401)
    await res.body?.cancel()
  })
})
