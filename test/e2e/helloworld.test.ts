/**
 * istio.io helloworld (scenarios.md §5i) with `weir` in place of kubectl: `helloworld.yaml` and
 * `helloworld-gateway.yaml` from `examples/istio-samples/`, run by one `weir up`; `/hello` through the gateway
 * answers v1 and v2 about half each, other paths 404.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { example, http, type Mesh, many, percent, startMesh } from './mesh.ts'

const HW = (f: string): string => example(`istio-samples/samples/helloworld/${f}`)
let mesh: Mesh | undefined

before(async () => {
  mesh = await startMesh(
    [
      example('istio-samples/weir/namespace-default.yaml'),
      HW('helloworld.yaml'),
      HW('helloworld-gateway.yaml'),
    ],
    2,
  )
})

after(async () => {
  await mesh?.stop()
})

test('curl $GATEWAY_URL/hello: v1 and v2 about 50/50 (±5) over 1000 requests', {
  timeout: 120_000,
}, async () => {
  const gw = mesh?.gatewayUrl ?? ''
  const bodies = await many(1000, 8, () => http(`${gw}/hello`))
  const hello = /^Hello version: (v1|v2), instance: helloworld-\1-\S+\n$/
  assert.deepEqual(
    bodies.filter((b) => !hello.test(b)),
    [],
  )
  const v1 = percent(bodies, (b) => b.startsWith('Hello version: v1'))
  assert.ok(Math.abs(v1 - 50) <= 5, `v1 answered ${v1} %`)
})

test('other paths get 404 from the gateway', async () => {
  const gw = mesh?.gatewayUrl ?? ''
  assert.equal((await http(`${gw}/`)).status, 404)
  assert.equal((await http(`${gw}/hello/x`)).status, 404)
})
