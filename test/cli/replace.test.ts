import assert from 'node:assert/strict'
import { test } from 'node:test'
import { useControlPlane, weir } from './support.ts'

const env = useControlPlane()

test('get | sed | replace -f - switches the mesh to REGISTRY_ONLY; a stale replace is a Conflict', async () => {
  const got = await weir(env, ['get', 'configmap', 'istio', '-n', 'istio-system', '-o', 'yaml'])
  assert.match(got.stdout, /mode: ALLOW_ANY/)
  const edited = got.stdout.replace(/mode: ALLOW_ANY/g, 'mode: REGISTRY_ONLY')
  const r = await weir(env, ['replace', '-n', 'istio-system', '-f', '-'], { stdin: edited })
  assert.deepEqual(r, { code: 0, stdout: 'configmap/istio replaced\n', stderr: '' })
  const mesh = await weir(env, ['get', 'cm', 'istio', '-n', 'istio-system', '-o', 'jsonpath={.data.mesh}'])
  assert.match(mesh.stdout, /^outboundTrafficPolicy:\n {2}mode: REGISTRY_ONLY$/m)
  assert.doesNotMatch(mesh.stdout, /ALLOW_ANY/)
  const stale = await weir(env, ['replace', '-n', 'istio-system', '-f', '-'], { stdin: edited })
  assert.equal(stale.code, 1)
  assert.match(
    stale.stderr,
    /^Error from server \(Conflict\): error when replacing "-": Operation cannot be fulfilled on configmaps "istio"/,
  )
})
