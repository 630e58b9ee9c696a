import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { file, useControlPlane, weir } from './support.ts'

const env = useControlPlane()

test('create -f: AlreadyExists the second time; label --overwrite; usage and connection errors', async () => {
  const f = file(
    env,
    'se.yaml',
    'apiVersion: networking.istio.io/v1alpha3\nkind: ServiceEntry\nmetadata:\n  name: httpbin-ext\nspec:\n  hosts: [httpbin.org]\n  ports: [{number: 80, name: http, protocol: HTTP}]\n',
  )
  assert.equal(
    (await weir(env, ['create', '-f', f])).stdout,
    'serviceentry.networking.istio.io/httpbin-ext created\n',
  )
  const dup = await weir(env, ['create', '-f', f])
  assert.equal(dup.code, 1)
  assert.equal(
    dup.stderr,
    `Error from server (AlreadyExists): error when creating "${f}": serviceentries.networking.istio.io "httpbin-ext" already exists\n`,
  )
  assert.equal(
    (await weir(env, ['label', 'se', 'httpbin-ext', 'team=a'])).stdout,
    'serviceentry.networking.istio.io/httpbin-ext labeled\n',
  )
  const clash = await weir(env, ['label', 'se', 'httpbin-ext', 'team=b'])
  assert.equal(clash.code, 1)
  assert.equal(clash.stderr, "error: 'team' already has a value (a), and --overwrite is false\n")
  assert.equal((await weir(env, ['label', 'se', 'httpbin-ext', 'team=b', '--overwrite'])).code, 0)
  assert.equal(
    (await weir(env, ['get', 'se', 'httpbin-ext', '-o', 'jsonpath={.metadata.labels.team}'])).stdout,
    'b',
  )

  const badNs = await weir(env, ['create', 'namespace', 'Bad_Name'])
  assert.equal(badNs.code, 1)
  assert.match(
    badNs.stderr,
    /^The Namespace "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name"/,
  )
  assert.equal((await weir(env, ['get'])).code, 64)
  assert.equal((await weir(env, ['get', 'pods', '-o', 'bogus'])).code, 64)
  const unknown = await weir(env, ['get', 'frobs'])
  assert.deepEqual(unknown, {
    code: 1,
    stdout: '',
    stderr: 'error: the server doesn\'t have a resource type "frobs"\n',
  })
  const nowhere = await weir(env, ['get', 'pods'], { env: { WEIR_STATE: join(env.work, 'no-such-state') } })
  assert.equal(nowhere.code, 1)
  assert.match(nowhere.stderr, /no control plane: .*server\.json not found \(start one with `weir up`/)
  const noAuth = await weir(env, ['get', 'pods', '--server', env.cp.url, '--token', 'wrong'])
  assert.equal(noAuth.code, 1)
  assert.match(noAuth.stderr, /^Error from server \(Unauthorized\)/)
})
