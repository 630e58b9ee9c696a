/**
 * istio.io's circuit-breaking task (scenarios.md §5f) with `weir` in place of kubectl: httpbin and the fortio
 * client with their sidecars, the DestinationRule allowing 1 connection and 1 pending request; fortio run
 * through `weir exec` sees overflow 503s (`x-envoy-overloaded`) once it runs more requests at a time than
 * the pool holds, and none one at a time. Files from `examples/istio-samples/`, run by one `weir up`.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { example, type Mesh, startMesh, waitFor } from './mesh.ts'

const URL = 'http://httpbin:8000/get'
let mesh: Mesh | undefined
let fortio = ''

/** `fortio load ARGS… URL` in the fortio pod: its output and the `Code NNN : N` counts. */
async function load(...args: string[]): Promise<{ out: string; codes: Map<number, number> }> {
  const r = await mesh?.weirRan('exec', fortio, '-c', 'fortio', '--', '/usr/bin/fortio', 'load', ...args, URL)
  assert.equal(r?.status, 0, `fortio load ${args.join(' ')}: ${r?.stdout} ${r?.stderr}`)
  const out = r?.stdout ?? ''
  const codes = new Map<number, number>()
  for (const m of out.matchAll(/^Code (\d+) : (\d+) \(/gm)) codes.set(Number(m[1]), Number(m[2]))
  return { out, codes }
}

before(async () => {
  mesh = await startMesh(
    [
      example('istio-samples/weir/namespace-default.yaml'),
      example('istio-samples/samples/httpbin/httpbin.yaml'),
      example('istio-samples/weir/circuit-breaking/destination-rule-httpbin.yaml'),
      example('istio-samples/samples/httpbin/sample-client/fortio-deploy.yaml'),
    ],
    2,
  )
  fortio = await mesh.pod('fortio')
  assert.ok(fortio)
})

after(async () => {
  await mesh?.stop()
})

test('fortio -curl reaches httpbin through the mesh', async () => {
  const { out } = await load('-curl')
  assert.match(out, /^HTTP\/1\.1 200 OK/m)
  assert.match(out, /"url": "http:\/\/httpbin:8000\/get"/)
  assert.match(out, /^server: envoy/m)
})

test('tripping the breaker: more requests at a time than 1 connection + 1 pending gives 503 overflow', {
  timeout: 60_000,
}, async () => {
  // Two at a time fit (one active, one pending): mostly 200, as the task page shows.
  const two = await load('-c', '2', '-qps', '0', '-n', '20', '-loglevel', 'Warning')
  assert.match(two.out, /All done 20 calls/)
  assert.ok((two.codes.get(200) ?? 0) >= 10, two.out)
  assert.deepEqual(
    [...two.codes.keys()].filter((c) => c !== 200 && c !== 503),
    [],
    two.out,
  )
  // Three at a time: a share of 503 next to the 200s (bounded retries: the share depends on scheduling).
  const three = await waitFor(
    'both Code 200 and Code 503 with -c 3',
    async () => {
      const r = await load('-c', '3', '-qps', '0', '-n', '30', '-loglevel', 'Warning')
      return (r.codes.get(503) ?? 0) > 0 && (r.codes.get(200) ?? 0) > 0 ? r : undefined
    },
    30_000,
  )
  assert.match(three.out, /All done 30 calls/)
  assert.equal((three.codes.get(200) ?? 0) + (three.codes.get(503) ?? 0), 30, three.out)
})

test('the overflow 503 comes from the client sidecar with x-envoy-overloaded: true', {
  timeout: 60_000,
}, async () => {
  const urls = Array.from({ length: 8 }, () => `'${URL}'`).join(' ')
  const overloaded = await waitFor(
    'a 503 with x-envoy-overloaded',
    async () => {
      const r = await mesh?.exec(
        fortio,
        'fortio',
        `curl -s -Z --parallel-max 4 -D - -o /dev/null ${urls}`,
        30_000,
      )
      const blocks = (r?.stdout ?? '').split(/\r?\n\r?\n/)
      return blocks.find((b) => /^HTTP\/1\.1 503/.test(b.trim()))
    },
    30_000,
  )
  assert.match(overloaded, /^x-envoy-overloaded: true/im)
  assert.match(overloaded, /^server: envoy/im)
})

test('one request at a time: every call is 200 (overflow 503s did not eject httpbin)', async () => {
  // The DestinationRule's outlierDetection (consecutive5xxErrors: 1, baseEjectionTime: 3m) does not count the
  // client sidecar's own overflow 503s: httpbin stays in the pool.
  const one = await load('-c', '1', '-qps', '0', '-n', '20', '-loglevel', 'Warning')
  assert.match(one.out, /All done 20 calls/)
  assert.deepEqual([...one.codes], [[200, 20]], one.out)
})
