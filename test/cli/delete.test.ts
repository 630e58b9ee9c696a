import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cells, file, lines, useControlPlane, weir } from './support.ts'

const env = useControlPlane()

test('delete -f three times: deleted, then NotFound errors and exit 1', async () => {
  const f = file(
    env,
    'canary.yaml',
    `apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: istio-canary
spec:
  hosts: [myweb-service]
  http:
  - route:
    - destination: {host: myweb-service, subset: v1}
      weight: 90
    - destination: {host: myweb-service, subset: v2}
      weight: 10
---
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata:
  name: istio-canary
spec:
  host: myweb-service
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
`,
  )
  assert.equal((await weir(env, ['apply', '-f', f])).code, 0)
  const dr = await weir(env, ['get', 'dr'])
  assert.deepEqual(cells(lines(dr.stdout)[0]!), ['NAME', 'HOST', 'AGE'])
  assert.deepEqual(cells(lines(dr.stdout)[1]!).slice(0, 2), ['istio-canary', 'myweb-service'])
  assert.deepEqual(await weir(env, ['delete', '-f', f]), {
    code: 0,
    stdout:
      'virtualservice.networking.istio.io "istio-canary" deleted\ndestinationrule.networking.istio.io "istio-canary" deleted\n',
    stderr: '',
  })
  for (let i = 0; i < 2; i++) {
    const r = await weir(env, ['delete', '-f', f])
    assert.equal(r.code, 1)
    assert.deepEqual(lines(r.stderr), [
      `Error from server (NotFound): error when deleting "${f}": virtualservices.networking.istio.io "istio-canary" not found`,
      `Error from server (NotFound): error when deleting "${f}": destinationrules.networking.istio.io "istio-canary" not found`,
    ])
  }
  const byName = await weir(env, ['delete', 'vs', 'x'])
  assert.equal(byName.code, 1)
  assert.equal(
    byName.stderr,
    'Error from server (NotFound): virtualservices.networking.istio.io "x" not found\n',
  )
  assert.deepEqual(await weir(env, ['delete', 'vs', 'x', '--ignore-not-found']), {
    code: 0,
    stdout: '',
    stderr: '',
  })
  assert.deepEqual(await weir(env, ['delete', 'vs', 'x', '--ignore-not-found=true']), {
    code: 0,
    stdout: '',
    stderr: '',
  })
})

test('delete -f of a file that lists its namespace first deletes everything without errors', async () => {
  const f = file(
    env,
    'ns.yaml',
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: shop\n',
  )
  assert.deepEqual(lines((await weir(env, ['apply', '-f', f])).stdout), [
    'namespace/shop created',
    'configmap/c created',
  ])
  const r = await weir(env, ['delete', '-f', f])
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(lines(r.stdout).sort(), ['configmap "c" deleted', 'namespace "shop" deleted'])
})
