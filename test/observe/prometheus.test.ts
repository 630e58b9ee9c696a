/**
 * Metrics discovery end to end: Debian's Prometheus, configured by `prometheusConfig` (what
 * `weir prometheus-config` prints), finds both proxies and the control plane through the HTTP SD
 * endpoint, scrapes them, and answers the PromQL Kiali and Flagger use.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parse } from 'yaml'
import { prometheusConfig } from '../../src/observe/prometheus-config.ts'
import { startTestMesh, type TestMesh } from './mesh.ts'

const PROMETHEUS = '/usr/bin/prometheus'

interface PromResult {
  metric: Record<string, string>
  value: [number, string]
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

describe('Prometheus scrapes the mesh through the control plane’s service discovery', {
  skip: !existsSync(PROMETHEUS) && 'prometheus is not installed (apt-get install prometheus)',
}, () => {
  let mesh: TestMesh
  let prom: ChildProcess
  let dir: string
  let promUrl: string
  const query = async (q: string): Promise<PromResult[]> => {
    const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`)
    const body = (await r.json()) as { status: string; data: { result: PromResult[] } }
    assert.equal(body.status, 'success', q)
    return body.data.result
  }
  /** Polls `q` until `ok` holds of its result (bounded: 200 polls of 100 ms). */
  const until = async (what: string, q: string, ok: (r: PromResult[]) => boolean): Promise<PromResult[]> => {
    let last: PromResult[] = []
    for (let i = 0; i < 200; i++) {
      try {
        last = await query(q)
        if (ok(last)) return last
      } catch {}
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`timed out waiting for ${what}: ${q} gave ${JSON.stringify(last)}`)
  }

  before(async () => {
    mesh = await startTestMesh()
    dir = mkdtempSync(join(tmpdir(), 'weir-prom-'))
    const text = prometheusConfig({
      url: mesh.cp.url,
      token: mesh.cp.token,
      scrapeInterval: '1s',
      refreshInterval: '1s',
    })
    writeFileSync(join(dir, 'prometheus.yml'), text)
    const port = await freePort()
    promUrl = `http://127.0.0.1:${port}`
    prom = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
    prom.stderr?.resume()
  })
  after(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom.once('exit', r))
      prom.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
      if (prom.exitCode === null) prom.kill('SIGKILL')
    }
    await mesh?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('prints a config with one http_sd_configs entry carrying the bearer token', () => {
    const cfg = parse(prometheusConfig({ url: mesh.cp.url, token: 'secret' })) as {
      scrape_configs: { http_sd_configs: { url: string; authorization: { credentials: string } }[] }[]
    }
    assert.equal(cfg.scrape_configs.length, 1)
    const sd = cfg.scrape_configs[0]!.http_sd_configs
    assert.equal(sd.length, 1)
    assert.equal(sd[0]!.url, `${mesh.cp.url}/observe/v1/prometheus-sd`)
    assert.equal(sd[0]!.authorization.credentials, 'secret')
  })

  it('discovers both proxies and the control plane, and answers Kiali’s and Flagger’s queries', async () => {
    const up = await until('3 targets up', 'up', (r) => r.length === 3 && r.every((x) => x.value[1] === '1'))
    const pods = up.map((r) => r.metric.pod).sort()
    assert.deepEqual(pods, ['productpage-v1-1', 'reviews-v2-1', 'weir-controlplane'])
    const reviewsTarget = up.find((r) => r.metric.pod === 'reviews-v2-1')!.metric
    assert.equal(reviewsTarget.namespace, 'default')
    assert.equal(reviewsTarget.app, 'reviews')
    assert.equal(reviewsTarget.version, 'v2')
    await until(
      'pilot_xds from the control plane',
      'pilot_xds',
      (r) => r.length === 1 && r[0]!.value[1] === '2',
    )

    // One request of each kind first, so both series exist before the increases rate() measures.
    assert.equal(await mesh.call('/ok'), 200)
    assert.equal(await mesh.call('/fail'), 500)
    const dst = 'istio_requests_total{reporter="destination",destination_workload="reviews-v2"}'
    await until('first requests scraped', `sum(${dst})`, (r) => r[0]?.value[1] === '2')
    for (let i = 0; i < 5; i++) assert.equal(await mesh.call('/ok'), 200)
    assert.equal(await mesh.call('/fail'), 500)
    await until('all requests scraped', `sum(${dst})`, (r) => r[0]?.value[1] === '8')

    const rate = await query(`sum(rate(${dst}[1m]))`)
    assert.ok(Number(rate[0]!.value[1]) > 0, 'request rate is positive')
    // Flagger's request-success-rate and Kiali's error rate: non-5xx share of the increase (5 ok, 1 failed).
    const success = await query(
      `sum(rate(istio_requests_total{reporter="destination",destination_workload="reviews-v2",response_code!~"5.*"}[1m])) / sum(rate(${dst}[1m]))`,
    )
    // rate() extrapolates each series to the window's edges, so the share is near 5/6, not exactly it.
    const share = Number(success[0]!.value[1])
    assert.ok(share > 0.6 && share < 0.95, `success rate ${share}`)
    const total = await query(
      `sum(istio_requests_total{reporter="destination",destination_workload="reviews-v2",response_code!~"5.*"}) / sum(${dst})`,
    )
    assert.equal(Number(total[0]!.value[1]), 6 / 8)
    // Both proxies are scraped on their own schedule: wait until the source side has all 8 too.
    await until(
      'both reporters scraped',
      'sum by (reporter) (istio_requests_total)',
      (r) => r.length === 2 && r.every((x) => x.value[1] === '8'),
    )
    // Kiali's graph query: source and destination app/version on each edge, from both reporters.
    const edges = await query(
      'sum by (reporter, source_app, source_version, destination_app, destination_version, destination_service_name, pod) (istio_requests_total)',
    )
    const byReporter = Object.fromEntries(edges.map((e) => [e.metric.reporter, e]))
    for (const reporter of ['source', 'destination']) {
      const e = byReporter[reporter]
      assert.ok(e, `a ${reporter} series`)
      assert.equal(e.metric.source_app, 'productpage')
      assert.equal(e.metric.source_version, 'v1')
      assert.equal(e.metric.destination_app, 'reviews')
      assert.equal(e.metric.destination_version, 'v2')
      assert.equal(e.metric.destination_service_name, 'reviews')
      assert.equal(e.value[1], '8')
    }
    assert.equal(byReporter.source!.metric.pod, 'productpage-v1-1')
    assert.equal(byReporter.destination!.metric.pod, 'reviews-v2-1')
    // Latency percentiles, as Kiali's and Flagger's request-duration checks compute them.
    const p99 = await query(
      `histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload="reviews-v2"}[1m])) by (le))`,
    )
    assert.ok(Number.isFinite(Number(p99[0]!.value[1])), 'p99 latency is a number')
  })
})
