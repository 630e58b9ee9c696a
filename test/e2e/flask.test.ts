/**
 * arunksingh16's Flask canary (scenarios.md §3) with `weir` in place of kubectl: Host-based gateway routing of
 * `/home` and `/list` (404 for `/` and other Hosts), the 90/10 canary, the 50/50 split and the header canary.
 * Files from `examples/flask/`, run by one `weir up`; requests through the ingress gateway.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { example, http, type Mesh, many, percent, startMesh, waitFor } from './mesh.ts'

const F = (f: string): string => example(`flask/${f}`)
const HOST = { host: 'flask.example.com' }
let mesh: Mesh | undefined

const isV2 = (body: string): boolean => body.includes('This Micro Website is for Istio testing v2')
const isV1 = (body: string): boolean =>
  body.includes('This Micro Website is for Istio testing') && !isV2(body)

/** `n` GETs of `/home` through the gateway; every answer must be a frontend page. */
async function homes(n: number): Promise<string[]> {
  const gw = mesh?.gatewayUrl ?? ''
  const bodies = await many(n, 8, () => http(`${gw}/home`, { headers: HOST }))
  assert.deepEqual(
    bodies.filter((b) => !isV1(b) && !isV2(b)),
    [],
  )
  return bodies
}

before(async () => {
  mesh = await startMesh([F('weir/namespace-default.yaml'), F('kubernetes.yaml'), F('ingress.yaml')], 2)
})

after(async () => {
  await mesh?.stop()
})

test('step 3: /home and /list through the gateway; / and other Hosts get 404', {
  timeout: 120_000,
}, async () => {
  const gw = mesh?.gatewayUrl ?? ''
  const home = await waitFor('/home', async () => {
    const a = await http(`${gw}/home`, { headers: HOST })
    return a.status === 200 ? a : undefined
  })
  assert.ok(isV1(home.body), home.body)
  assert.match(home.body, /Microservice Testing/)
  const list = await http(`${gw}/list`, { headers: HOST })
  assert.equal(list.status, 200)
  assert.match(list.body, /A Fire Upon the Deep/)
  assert.match(list.body, /Tipsy/)
  assert.equal((await http(`${gw}/`, { headers: HOST })).status, 404)
  assert.equal((await http(`${gw}/home`, { headers: { host: 'other.example.com' } })).status, 404)
})

test('step 5: canary_ingress.yaml: v2 answers 10 % (±5) of 500 requests', { timeout: 120_000 }, async () => {
  await mesh?.weir('apply', '-f', F('gateway.yaml'))
  await mesh?.weir('apply', '-f', F('canary_ingress.yaml'))
  await waitFor(
    'flaskfrontend-v2 2/2 Running',
    async () => /flaskfrontend-v2-\S+ +2\/2 +Running/.test((await mesh?.weir('get', 'pods')) ?? ''),
    30_000,
  )
  await mesh?.weir('wait', '--timeout', '20s')
  const bodies = await homes(500)
  const v2 = percent(bodies, isV2)
  assert.ok(Math.abs(v2 - 10) <= 5, `v2 answered ${v2} %`)
})

test('step 6: weights 50/50: v2 answers 50 % (±5) of 1200 requests (3.5σ)', {
  timeout: 120_000,
}, async () => {
  await mesh?.weir('apply', '-f', F('weir/canary_50_50.yaml'))
  await mesh?.weir('wait', '--timeout', '20s')
  const v2 = percent(await homes(1200), isV2)
  assert.ok(Math.abs(v2 - 50) <= 5, `v2 answered ${v2} %`)
})

test('step 7: header canary: / with canary: canary → v2, / without → 404, /home keeps the split', {
  timeout: 120_000,
}, async () => {
  const gw = mesh?.gatewayUrl ?? ''
  await mesh?.weir('apply', '-f', F('focused_Canary_Testing.yaml'))
  await mesh?.weir('wait', '--timeout', '20s')
  const canary = await many(20, 4, () => http(`${gw}/`, { headers: { ...HOST, canary: 'canary' } }))
  assert.ok(
    canary.every(isV2),
    canary.find((b) => !isV2(b)),
  )
  assert.equal((await http(`${gw}/`, { headers: HOST })).status, 404)
  const home = await many(100, 8, () => http(`${gw}/home`, { headers: { ...HOST, canary: 'canary' } }))
  assert.ok(home.some(isV1), 'rule 1 (90/10) still answers /home with the header')
})
